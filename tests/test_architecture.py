"""The code's shape, held as tests: no hidden import cycles, small modules and functions, thin handlers.

`make test` also runs `ruff check` and `lint-imports` (the layers and the no-cycle contracts in
pyproject.toml); the last test here shows that a service importing the web layer breaks that check.
"""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP_DIRS = ("practice", "rules")

# Third-party libraries heavy enough to import only when used (seconds of start-up, or native code).
LAZY_LIBRARIES = {"pyhanko", "pyhanko_certvalidator", "asn1crypto", "weasyprint", "pypdfium2", "segno",
                  "cheroot", "wsgidav", "huey", "reflex", "uvicorn", "granian", "alembic", "pypdf", "stripe"}

MAX_SERVICE_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60
MAX_HANDLER_LINES = 20
# The Lark transformer maps the grammar's rules one to one; its entry point reads as a table.
LONG_FUNCTION_EXCEPTIONS: set[tuple[str, str]] = set()


def _modules(*dirs: str) -> list[Path]:
    return sorted(p for d in dirs for p in (ROOT / d).rglob("*.py") if "__pycache__" not in p.parts)


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _functions(tree: ast.AST):
    return (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))


def _imported_top(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.ImportFrom):
        return ["." if node.level else (node.module or "").split(".")[0]]
    return [alias.name.split(".")[0] for alias in node.names]


def test_no_module_of_the_app_is_imported_inside_a_function():
    """Imports sit at the top: one inside a function hides a cycle. Only heavy third-party libraries load lazily."""
    found = []
    for path in _modules(*APP_DIRS):
        for fn in _functions(_tree(path)):
            for node in ast.walk(fn):
                if not isinstance(node, (ast.Import, ast.ImportFrom)):
                    continue
                for top in _imported_top(node):
                    if top not in LAZY_LIBRARIES:
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {top} inside {fn.name}()")
    assert found == []


def test_no_service_module_is_over_600_lines():
    sizes = {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines())
             for p in _modules("practice/services")}
    assert {p: n for p, n in sizes.items() if n > MAX_SERVICE_MODULE_LINES} == {}


def test_no_function_is_over_60_lines():
    long = []
    for path in _modules(*APP_DIRS):
        rel = str(path.relative_to(ROOT))
        for fn in _functions(_tree(path)):
            lines = fn.end_lineno - fn.lineno + 1
            if lines > MAX_FUNCTION_LINES and (rel, fn.name) not in LONG_FUNCTION_EXCEPTIONS:
                long.append(f"{rel}:{fn.lineno} {fn.name}() has {lines} lines")
    assert long == []


def test_no_state_handler_is_over_20_lines():
    """States stay thin: who is asking, call a service, refresh the view."""
    long = []
    for path in _modules("practice/state"):
        for cls in (n for n in _tree(path).body if isinstance(n, ast.ClassDef)):
            for fn in cls.body:
                if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    lines = fn.end_lineno - fn.lineno + 1
                    if lines > MAX_HANDLER_LINES:
                        long.append(f"{path.relative_to(ROOT)}:{fn.lineno} {cls.name}.{fn.name}() has {lines} lines")
    assert long == []


def test_states_raise_errors_instead_of_returning_them():
    """No `(value, error)` tuples between states and services, and no private Reflex API."""
    offenders = []
    for path in _modules("practice"):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(ROOT)
        if rel.parts[1] == "state" and "if error" in text:
            offenders.append(f"{rel}: if error")
        if "._api" in text:
            offenders.append(f"{rel}: uses Reflex's private app._api")
    assert offenders == []


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    lint = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(lint), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"})


@pytest.mark.slow
def test_a_service_importing_the_web_layer_breaks_the_import_contracts(tmp_path):
    """The contracts hold on the project, and fail on a copy where a service imports a state."""
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(ROOT / "pyproject.toml", copy)
    for d in APP_DIRS:
        shutil.copytree(ROOT / d, copy / d, ignore=shutil.ignore_patterns("__pycache__"))
    kept = _lint_imports(copy)
    assert kept.returncode == 0, kept.stdout[-3000:]

    audit = copy / "practice" / "services" / "audit.py"
    audit.write_text(audit.read_text(encoding="utf-8") + "\nimport practice.state.base  # noqa: E402,F401\n",
                     encoding="utf-8")
    broken = _lint_imports(copy)
    assert broken.returncode != 0
    assert "practice.services is not allowed to import practice.state" in broken.stdout
