"""The shape of the code, checked: packages import only downwards with no cycles (the
import-linter contracts in pyproject.toml), imports sit at the top of modules where readers
see them, and only the field types switch on a field type's name."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ehdocs"

# Imports that stay inside a function (file, function), each for a reason a reader needs.
_COMMAND = (
    "a command loads its own subsystem when it runs: `ehdocs validate` and `--help` start "
    "without WeasyPrint, cairosvg, Flask or the mail stack (1 s against 6-9 s measured)"
)
DEFERRED_IMPORTS: dict[tuple[str, str], str] = {
    ("ehdocs/cli.py", "render"): _COMMAND,
    ("ehdocs/cli.py", "pack"): _COMMAND,
    ("ehdocs/cli.py", "diagram"): _COMMAND,
    ("ehdocs/cli.py", "_picture"): _COMMAND,
    ("ehdocs/cli.py", "serve"): _COMMAND,
    ("ehdocs/cli.py", "ingest"): _COMMAND,
    ("ehdocs/fillable/__init__.py", "blank_form"): (
        "the sandboxed parser processes import ehdocs.fillable under a 768 MB address-space "
        "cap to read forms; WeasyPrint and python-docx load only when a blank form is made"
    ),
    ("ehdocs/fillable/__init__.py", "__getattr__"): "the same: the writers load on first use",
    ("ehdocs/fillable/signatures.py", "_pyhanko"): (
        "pyHanko takes seconds to import: a parser worker loads it only for a signed file"
    ),
}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_the_import_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_imports_are_at_the_top_of_modules() -> None:
    """An import inside a function hides a dependency (and, often, a cycle)."""
    hidden: list[str] = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = path.relative_to(ROOT).as_posix()
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if (module, node.name) in DEFERRED_IMPORTS:
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    hidden.append(f"{module}:{inner.lineno} {_imported(inner)}")
    assert hidden == []


def _imported(node: ast.Import | ast.ImportFrom) -> str:
    if isinstance(node, ast.ImportFrom):
        return node.module or "."
    return ",".join(alias.name for alias in node.names)


# A field's type compared with a type's name: `fdef.type == "date"`, `.type in ("a", "b")`.
TYPE_SWITCH = re.compile(r"""\.type\s*(==|!=)\s*["']|\.type\s+(not\s+)?in\s*[(\[{]\s*["']""")


def test_only_field_types_switch_on_a_field_type() -> None:
    """Adding a field type is one class in ehdocs/fields/: nothing else asks which type it is."""
    found = []
    for path in _modules():
        if path.is_relative_to(PACKAGE / "fields"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if TYPE_SWITCH.search(line) and not line.lstrip().startswith("#"):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []
