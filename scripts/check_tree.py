"""The shape of the tree, checked in ``make lint`` beside import-linter (which checks who imports
whom): what a newcomer relies on to find things.

- no module over 300 lines;
- no folder with more than 15 modules beside its sub-packages (``__init__.py`` and
  ``conftest.py`` not counted): past that, a folder wants rooms;
- every folder of modules is a package, and opens with a docstring (what lives there, who may
  import it);
- no test module (``test_*.py``) or ``conftest.py`` is imported by another module: what tests
  share lives in ``tests/support/``.

Prints each breach on a line of its own and exits 1 when there is one.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TREES = ("domain", "application", "adapters", "entrypoints", "tests", "bench", "scripts")
SKIPPED = {"node_modules", "__pycache__"}
MAX_LINES = 300
MAX_MODULES = 15
NOT_COUNTED = {"__init__.py", "conftest.py"}


def modules() -> Iterator[Path]:
    for tree in TREES:
        for path in sorted((ROOT / tree).rglob("*.py")):
            if not SKIPPED.intersection(path.relative_to(ROOT).parts):
                yield path


def _imported(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _is_test_module(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return name.startswith("tests.") and (last.startswith("test_") or last == "conftest")


def breaches() -> Iterator[str]:
    folders: dict[Path, int] = {}
    for path in modules():
        shown = path.relative_to(ROOT)
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            yield f"{shown}: {lines} lines (at most {MAX_LINES})"
        if path.name not in NOT_COUNTED:
            folders[path.parent] = folders.get(path.parent, 0) + 1
        if path.name == "__init__.py" and ast.get_docstring(ast.parse(path.read_text())) is None:
            yield f"{shown}: a package without a docstring saying what lives there"
        for name in _imported(path):
            if _is_test_module(name):
                yield f"{shown}: imports the test module {name} (share it from tests/support/)"
    for folder, count in sorted(folders.items()):
        if folder != ROOT / "scripts" and not (folder / "__init__.py").is_file():
            yield f"{folder.relative_to(ROOT)}/: modules in a folder that is not a package"
        if count > MAX_MODULES:
            shown = folder.relative_to(ROOT)
            yield f"{shown}/: {count} modules beside its sub-packages (at most {MAX_MODULES})"


def main() -> int:
    found = list(breaches())
    for breach in found:
        print(breach)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
