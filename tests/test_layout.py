"""The test suite mirrors the code and shares its factories: no module makes its own `firm` fixture or builds
PDFs by hand (tests/factories does both), and tests/services/<package>/ exists only for a real services package."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
SERVICES = TESTS.parent / "practice" / "services"
PDF_BUILDING = {"PdfWriter", "add_blank_page"}


def _test_modules() -> list[Path]:
    """Every Python file of the suite except the factories and the conftest files, which may do both."""
    return sorted(p for p in TESTS.rglob("*.py")
                  if p.name != "conftest.py" and "factories" not in p.relative_to(TESTS).parts)


def _names(tree: ast.AST) -> set[str]:
    return ({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
            | {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
            | {a.name.split(".")[-1] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names})


def _problems(path: Path, where: Path | str) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems = [f"{where}:{node.lineno} defines its own `firm`: describe it with pytest.mark.firm(build=...)"
                for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name == "firm"]
    problems += [f"{where} builds a PDF by hand ({name}): use tests/factories (blank_pdf, sample_pdf, normal_pdf)"
                 for name in sorted(PDF_BUILDING & _names(tree))]
    return problems


def test_no_module_has_its_own_firm_fixture_or_pdf_builder():
    problems = [problem for path in _test_modules() for problem in _problems(path, path.relative_to(TESTS.parent))]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("folder", sorted(p for p in (TESTS / "services").iterdir() if p.is_dir()
                                          and p.name != "__pycache__"), ids=lambda p: p.name)
def test_each_services_test_folder_mirrors_a_services_package(folder):
    assert (SERVICES / folder.name / "__init__.py").is_file(), (
        f"tests/services/{folder.name}/ has no package practice/services/{folder.name}/ to mirror")


def test_the_checks_see_what_they_look_for(tmp_path):
    """The checks themselves: a module with its own firm fixture and a hand-built PDF is caught twice."""
    sample = tmp_path / "test_sample.py"
    sample.write_text("import pytest\nfrom pypdf import PdfWriter\n\n\n@pytest.fixture\ndef firm():\n    return {}\n")
    found = _problems(sample, sample.name)
    assert len(found) == 2 and "own `firm`" in found[0] and "PdfWriter" in found[1]
