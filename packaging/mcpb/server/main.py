"""The bundle's entry point: ``helpdesk-bridge mcp`` (stdio) from the sources beside it.

Claude Desktop runs it with ``uv run --directory <bundle> server/main.py``: uv makes the bundle's
environment from its ``pyproject.toml`` / ``uv.lock`` (dependencies only, the project itself is
not installed), so the packages copied into the bundle are put on the path here.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from entrypoints.main import main

raise SystemExit(main(["mcp"]))
