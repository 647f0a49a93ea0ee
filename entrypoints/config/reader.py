"""Reading a settings declaration (msgspec Structs) from any ``str -> str`` mapping.

A setting is one annotated Struct field: its name upper-cased is its variable (a nested
section's fields get the section's name as prefix: ``redis.url`` is ``REDIS_URL``), its
annotation carries its bounds, choices or shape as msgspec constraints, its default is the
field's default. The checks, the one-line errors, the repr's secret masking and the
``.env.example`` test all read that one declaration, so adding a setting is adding a field.

A secret may instead be read from the file that ``<NAME>_FILE`` names (a Docker or Kubernetes
secret mounted as a file): its text, surrounding whitespace dropped, and one value per line
joined into a comma list (``AUTH_TOKEN`` takes several). Both ``NAME`` and ``NAME_FILE`` set is a
start-up error: which one wins would be a guess.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar, get_args

import msgspec
from msgspec import Meta
from msgspec import inspect as mi

SECRET = "secret"  # noqa: S105 - the name of a metadata flag, not a password
EXPECTED = "expected"
FILE_SUFFIX = "_FILE"
_BOOLEANS = {"1": True, "true": True, "yes": True, "on": True}
_BOOLEANS |= {"0": False, "false": False, "no": False, "off": False}


class ConfigError(Exception):
    """One configuration variable is wrong; the message names it and says what is expected."""


def shaped(pattern: str, expected: str, *, secret: bool = False) -> Meta:
    """A text setting that must match ``pattern``; ``expected`` completes "X must be ...".

    A secret's value is never echoed in an error (a URL keeps all but its password)."""
    return Meta(pattern=pattern, extra={EXPECTED: expected, SECRET: secret})


class Declaration(msgspec.Struct, frozen=True, kw_only=True):
    """Base of the settings struct and of its sections: the repr hides every secret."""

    def __repr__(self) -> str:
        def shown(field: msgspec.structs.FieldInfo) -> str:
            value = getattr(self, field.name)
            return "'***'" if value and _extra(field.type).get(SECRET) else repr(value)

        fields = ", ".join(f"{f.name}={shown(f)}" for f in msgspec.structs.fields(self))
        return f"{type(self).__name__}({fields})"


D = TypeVar("D", bound=Declaration)


@dataclass(frozen=True)
class Setting:
    """One declared setting: its variable, where it sits in the struct, its type and default."""

    name: str
    path: tuple[str, ...]
    annotation: Any
    default: Any

    @cached_property
    def secret(self) -> bool:
        return bool(_extra(self.annotation).get(SECRET))

    def value_in(self, declared: Any) -> Any:
        """This setting's value in ``declared`` (a struct of the declaration it came from)."""
        value = declared
        for part in self.path:
            value = getattr(value, part)
        return value

    def parse(self, raw: str) -> Any:
        """The typed value of ``raw`` (already stripped, not empty), or ``ConfigError``."""
        kind = _kind(self.annotation)
        value: Any = raw
        if isinstance(kind, mi.LiteralType):
            value = raw.lower()
        elif isinstance(kind, mi.BoolType):
            value = _BOOLEANS.get(raw.lower(), raw)
        elif isinstance(kind, mi.VarTupleType):
            value = [entry.strip() for entry in raw.split(",") if entry.strip()]
        try:
            return msgspec.convert(value, self.annotation, strict=False)
        except msgspec.ValidationError:
            shown = self._shown(raw)
            raise ConfigError(f"{self.name} must be {self.expected} (got {shown!r})") from None

    @cached_property
    def expected(self) -> str:
        """What a valid value looks like, for "NAME must be ..."."""
        explained = _extra(self.annotation).get(EXPECTED)
        if explained:
            return str(explained)
        kind = _kind(self.annotation)
        if isinstance(kind, mi.IntType | mi.FloatType):
            noun = "an integer" if isinstance(kind, mi.IntType) else "a number"
            bounded = kind.ge is not None and kind.le is not None
            return f"{noun} from {kind.ge} to {kind.le}" if bounded else noun
        if isinstance(kind, mi.LiteralType):  # in declaration order (msgspec sorts them)
            return "one of " + ", ".join(map(str, get_args(self.annotation) or kind.values))
        if isinstance(kind, mi.BoolType):
            return "true or false"
        return "text"

    def _shown(self, raw: str) -> str:
        if not self.secret:
            return raw
        return _without_password(raw) if "://" in raw else "***"


def settings_of(declaration: type[Declaration], prefix: str = "") -> tuple[Setting, ...]:
    """Every setting of ``declaration``, sections flattened, in declaration order."""
    return tuple(_walk(declaration, prefix, ()))


def read_declaration(declaration: type[D], values: Mapping[str, str]) -> D:
    """``declaration`` filled from ``values`` (keyed by variable name); unset or blank values
    keep their defaults; the first bad value raises ``ConfigError`` naming its variable."""
    data: dict[str, Any] = {}
    for setting in settings_of(declaration):
        raw = _raw_value(setting, values)
        if raw is None or not raw.strip():
            continue
        node = data
        for part in setting.path[:-1]:
            node = node.setdefault(part, {})
        node[setting.path[-1]] = setting.parse(raw.strip())
    return msgspec.convert(data, declaration)


def comma_values(text: str) -> tuple[str, ...]:
    """The values of a comma list, each stripped, blanks dropped (``"a, b,,"`` -> a and b)."""
    return tuple(value for part in text.split(",") if (value := part.strip()))


def _raw_value(setting: Setting, values: Mapping[str, str]) -> str | None:
    """The text of ``setting``: its variable, or for a secret the file ``<NAME>_FILE`` names."""
    raw = values.get(setting.name)
    if not setting.secret:
        return raw
    file_variable = setting.name + FILE_SUFFIX
    path = (values.get(file_variable) or "").strip()
    if not path:
        return raw
    if raw is not None and raw.strip():
        raise ConfigError(
            f"{setting.name} and {file_variable} are both set: set one of them "
            f"({file_variable} for a secret mounted as a file)"
        )
    return read_secret_file(file_variable, path)


def read_secret_file(variable: str, path: str) -> str:
    """A secret file's value: its lines stripped, blank ones dropped, the rest joined with ", "
    (one line is one value). An unreadable or empty file is a ``ConfigError`` naming
    ``variable`` and the path, never the content."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{variable} names a file that does not exist: {path}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{variable} names a file that is not UTF-8 text: {path}") from None
    except OSError as e:
        reason = e.strerror or type(e).__name__
        raise ConfigError(
            f"{variable} names a file that cannot be read: {path} ({reason})"
        ) from None
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise ConfigError(f"{variable} names an empty file: {path}")
    return ", ".join(lines)


def _walk(declaration: type[Declaration], prefix: str, path: tuple[str, ...]) -> Iterator[Setting]:
    for field in msgspec.structs.fields(declaration):
        name, where = prefix + field.name.upper(), (*path, field.name)
        if isinstance(field.type, type) and issubclass(field.type, Declaration):
            yield from _walk(field.type, name + "_", where)
            continue
        default = field.default
        if default is msgspec.NODEFAULT:
            default = field.default_factory()
        yield Setting(name, where, field.type, default)


def _kind(annotation: Any) -> mi.Type:
    """The value's type, past msgspec's metadata wrapper and an optional ``| None``."""
    kind = mi.type_info(annotation)
    if isinstance(kind, mi.Metadata):
        kind = kind.type
    if isinstance(kind, mi.UnionType):
        kind = next(t for t in kind.types if not isinstance(t, mi.NoneType))
    return kind


def _extra(annotation: Any) -> dict[str, Any]:
    kind = mi.type_info(annotation)
    return dict(kind.extra or {}) if isinstance(kind, mi.Metadata) else {}


def _without_password(url: str) -> str:
    """``redis://user:secret@host`` -> ``redis://user:***@host`` (for error messages)."""
    scheme, separator, rest = url.partition("://")
    userinfo, at, host = rest.rpartition("@")
    if not separator or not at or ":" not in userinfo:
        return url
    return f"{scheme}://{userinfo.split(':', 1)[0]}:***@{host}"
