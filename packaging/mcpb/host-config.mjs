// The command a host such as Claude Desktop spawns for an installed bundle: the manifest's
// mcp_config with ${__dirname} and ${user_config.*} substituted by the mcpb package's own
// getMcpConfigForManifest (user values over the manifest's defaults). Used by
// tests/e2e/mcp/test_mcpb_bundle.py. Usage: node host-config.mjs EXTENSION_DIR USER_CONFIG_JSON
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, sep } from "node:path";

import { getMcpConfigForManifest } from "@anthropic-ai/mcpb";

const [extensionPath, userConfigJson] = process.argv.slice(2);
const manifest = JSON.parse(readFileSync(join(extensionPath, "manifest.json"), "utf-8"));
const home = homedir();
const config = await getMcpConfigForManifest({
  manifest,
  extensionPath,
  systemDirs: {
    HOME: home,
    DESKTOP: join(home, "Desktop"),
    DOCUMENTS: join(home, "Documents"),
    DOWNLOADS: join(home, "Downloads"),
  },
  userConfig: JSON.parse(userConfigJson ?? "{}"),
  pathSeparator: sep,
});
if (config === undefined) {
  console.error("no MCP config: a required user_config value is missing");
  process.exit(1);
}
process.stdout.write(JSON.stringify(config) + "\n");
