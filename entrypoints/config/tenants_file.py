"""The tenants file's text: TOML tables of values, written as the settings are, with secrets
kept out of it.

``[tenants.NAME]`` tables only; a table's keys are the settings' names in lower case, each
secret's ``<key>_file`` twin, and ``auth_tokens`` / ``auth_tokens_file``. What this module
decides (``entrypoints/config/tenants.py`` turns the result into each tenant's ``Settings``):

- a value ``"${NAME}"`` (the whole value) is read from the environment (over ``.env``), so a
  secret is named in the file, never written in it;
- a secret setting (``helpdesk_api_key``, ``webhook_secret``, ...) must be such a reference or a
  ``<key>_file``: a plain secret stops start-up (a ``redis_url`` without a password is no secret);
- ``auth_tokens`` are SHA-256 hashes, ``sha256:<hex>`` (``helpdesk-bridge hash-token`` prints
  one), or references to tokens in the environment; a plain token stops start-up with a line
  naming ``auth_tokens`` - never the value.
Every refusal names the file, the tenant and the key.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from entrypoints.config.reader import FILE_SUFFIX, Setting, comma_values, read_secret_file
from entrypoints.config.settings import ConfigError, declared_settings

TENANT_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
TOKEN_HASH = re.compile(r"^sha256:([0-9a-fA-F]{64})$")
REFERENCE = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
TOKENS, TOKENS_FILE = "auth_tokens", "auth_tokens_file"
HASH_HINT = "print one with `helpdesk-bridge hash-token`"

# Settings of the process, not of a tenant: one server, one log, one set of trusted proxies.
PROCESS_WIDE = frozenset(
    {
        "host",
        "port",
        "log_level",
        "log_format",
        "forwarded_allow_ips",
        "tenants_file",
        "header_timeout_seconds",
        "body_timeout_seconds",
        "keepalive_timeout_seconds",
        "max_connections",
        "max_header_bytes",
        "max_header_fields",
    }
)
# Credentials a tenant never inherits from the environment (each tenant brings its own).
NOT_INHERITED = ("AUTH_TOKEN", "WEBHOOK_SECRET", "ELEVENLABS_WEBHOOK_SECRET")


@dataclass(frozen=True)
class TenantTable:
    """One ``[tenants.NAME]`` table, read: its settings as variable -> text (references
    resolved), and the SHA-256 digests of the tokens that admit its callers."""

    name: str
    variables: dict[str, str]
    token_digests: tuple[bytes, ...]


class Where:
    """Names the place of a refusal: ``TENANTS_FILE <path>: [tenants.<name>]``."""

    def __init__(self, path: str, tenant: str | None = None) -> None:
        self.path = path
        self.tenant = tenant

    def error(self, message: str) -> ConfigError:
        place = f"TENANTS_FILE {self.path}:"
        if self.tenant is not None:
            place += f" [tenants.{self.tenant}]"
        return ConfigError(f"{place} {message}")


def _keys() -> dict[str, Setting]:
    """Every key a tenant table may hold -> its setting (a ``_file`` key -> its secret's)."""
    keys: dict[str, Setting] = {}
    for setting in declared_settings():
        key = setting.name.lower()
        if key in PROCESS_WIDE:
            continue
        keys[key] = setting
        if setting.secret:
            keys[key + FILE_SUFFIX.lower()] = setting
    return keys


def read_tables(path: str, environment: Mapping[str, str]) -> list[TenantTable]:
    """The tenants of the file at ``path``, in file order; ``ConfigError`` naming the first
    problem (a file that cannot be read or parsed, a bad name, key or value)."""
    where = Where(path)
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except FileNotFoundError:
        raise where.error("names a file that does not exist") from None
    except tomllib.TOMLDecodeError as error:  # its message has line and column, not content
        raise where.error(f"is not valid TOML: {error}") from None
    except OSError as error:
        raise where.error(f"cannot be read ({error.strerror or type(error).__name__})") from None
    extra = sorted(set(document) - {"tenants"})
    if extra:
        raise where.error(f"has {extra[0]!r} at the top: only [tenants.NAME] tables belong there")
    tenants = document.get("tenants")
    if not isinstance(tenants, dict) or not tenants:
        raise where.error("names no tenant: add a [tenants.NAME] table for each")
    keys = _keys()
    tables: list[TenantTable] = []
    for name, table in tenants.items():
        if not TENANT_NAME.fullmatch(name):
            raise where.error(
                f"tenant name {name!r} must be 1-32 of a-z, 0-9, '-' and '_', starting with a "
                "letter or digit (it is used in paths, file names, Redis keys and metric labels)"
            )
        if not isinstance(table, dict):
            raise where.error(f"tenants.{name} must be a table: [tenants.{name}]")
        tables.append(_table(Where(path, name), name, table, keys, environment))
    return tables


def _table(
    where: Where,
    name: str,
    table: Mapping[str, Any],
    keys: Mapping[str, Setting],
    environment: Mapping[str, str],
) -> TenantTable:
    variables: dict[str, str] = {}
    for key, value in table.items():
        if key in (TOKENS, TOKENS_FILE):
            continue
        if key in PROCESS_WIDE:
            raise where.error(f"{key} is a setting of the whole process: set it in the environment")
        if key == "auth_token":
            raise where.error(f"auth_token is not a tenant key: write auth_tokens ({HASH_HINT})")
        setting = keys.get(key)
        if setting is None:
            close = difflib.get_close_matches(key, [*keys, TOKENS], n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise where.error(
                f"has no setting {key!r}{hint}: keys are the settings' names in lower case"
            )
        is_file = key.endswith(FILE_SUFFIX.lower()) and key != setting.name.lower()
        if setting.secret and not is_file and not _may_be_plain(setting, value):
            raise where.error(
                f'{key} is a secret: write {key} = "${{VARIABLE}}" (read from the environment) '
                f"or {key}_file = <path>, so it stays out of the tenants file"
            )
        variables[key.upper()] = _text(where, key, value, environment)
    digests = _token_digests(where, table, environment)
    return TenantTable(name, variables, digests)


def _may_be_plain(setting: Setting, value: Any) -> bool:
    """References (one, or a list for several values), or a Redis URL without a password (its
    other parts are no secret)."""
    items = value if isinstance(value, list) else [value]
    if items and all(isinstance(item, str) and REFERENCE.fullmatch(item) for item in items):
        return True
    if setting.name == "REDIS_URL" and isinstance(value, str):
        userinfo = value.partition("://")[2].rpartition("@")[0]
        return ":" not in userinfo
    return False


def _text(where: Where, key: str, value: Any, environment: Mapping[str, str]) -> str:
    """A TOML value as the settings reader takes it: text, a number, true/false, or a list of
    them (a comma list); a ``${NAME}`` value is read from ``environment``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return _resolved(where, key, value, environment)
    if isinstance(value, list) and all(
        isinstance(item, str | int | float) and not isinstance(item, bool) for item in value
    ):
        return ", ".join(_resolved(where, key, str(item), environment) for item in value)
    raise where.error(f"{key} must be a string, a number, true/false, or a list of them")


def _resolved(where: Where, key: str, value: str, environment: Mapping[str, str]) -> str:
    found = REFERENCE.fullmatch(value)
    if found is None:
        return value
    variable = found[1]
    resolved = (environment.get(variable) or "").strip()
    if not resolved:
        raise where.error(f"{key} reads ${{{variable}}}, which is not set in the environment")
    return resolved


def _token_digests(
    where: Where, table: Mapping[str, Any], environment: Mapping[str, str]
) -> tuple[bytes, ...]:
    """The SHA-256 digests of the tenant's tokens: hashes as written, references hashed."""
    tokens, tokens_file = table.get(TOKENS), table.get(TOKENS_FILE)
    if tokens is not None and tokens_file is not None:
        raise where.error(f"{TOKENS} and {TOKENS_FILE} are both set: set one of them")
    if tokens_file is not None:
        if not isinstance(tokens_file, str):
            raise where.error(f"{TOKENS_FILE} must be a path")
        path = _resolved(where, TOKENS_FILE, tokens_file, environment)
        try:
            text = read_secret_file(TOKENS_FILE, path)
        except ConfigError as error:
            raise where.error(str(error)) from None
        return tuple(_digest(entry) for entry in comma_values(text))
    if tokens is None:
        return ()
    entries = tokens if isinstance(tokens, list) else [tokens]
    digests: list[bytes] = []
    for entry in entries:
        if not isinstance(entry, str):
            raise where.error(f"{TOKENS} must be a list of sha256:<hex> strings")
        reference = REFERENCE.fullmatch(entry)
        if reference is not None:
            resolved = _resolved(where, TOKENS, entry, environment)
            digests.extend(_digest(token) for token in comma_values(resolved))
        elif TOKEN_HASH.fullmatch(entry.strip()):
            digests.append(_digest(entry.strip()))
        else:  # never echo it: it may be a real token pasted in
            raise where.error(
                f"{TOKENS} holds a value that is not a SHA-256 hash: write each token as "
                f"sha256:<64 hex digits> ({HASH_HINT}, which reads the token from stdin), or "
                '"${VARIABLE}" naming it in the environment: the tenants file holds no plain tokens'
            )
    return tuple(digests)


def _digest(entry: str) -> bytes:
    """``sha256:<hex>`` -> its bytes; any other text is a token, hashed."""
    found = TOKEN_HASH.fullmatch(entry)
    if found is not None:
        return bytes.fromhex(found[1])
    return hashlib.sha256(entry.encode()).digest()
