"""`python -m rules check` and `python -m rules fmt`, run as the firm's tools would be."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import CONTRACT_CATALOG
from .test_contract_examples import REJECTED, SECTION_1, SECTION_9

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    return subprocess.run([sys.executable, "-m", "rules", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def catalog_file(tmp_path):
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(CONTRACT_CATALOG))
    return path


def test_check_ok_prints_the_rule_count(tmp_path, catalog_file):
    rules = tmp_path / "rules.txt"
    rules.write_text(SECTION_1 + "\n" + SECTION_9)
    result = run("check", rules, "--catalog", catalog_file)
    assert result.returncode == 0
    assert result.stdout == "ok: 8 rules\n"


def test_check_prints_errors_in_the_contract_format_and_exits_1(tmp_path, catalog_file):
    text, golden = REJECTED["unknown stage in a pipeline (the contract's own example)"]
    rules = tmp_path / "rules.txt"
    rules.write_text(text)
    result = run("check", rules, "--catalog", catalog_file)
    assert result.returncode == 1
    assert result.stdout == golden.replace("rules.txt:", f"{rules}:") + "\n"
    assert "Traceback" not in result.stderr


def test_fmt_prints_the_canonical_layout(tmp_path):
    rules = tmp_path / "rules.txt"
    rules.write_text('RULE "x" WHEN job IS created THEN archive job END')
    result = run("fmt", rules)
    assert result.returncode == 0
    assert result.stdout == 'rule "x"\nwhen job is created\nthen\n  archive job\nend\n'


def test_fmt_of_unreadable_text_prints_the_error(tmp_path):
    rules = tmp_path / "rules.txt"
    rules.write_text('rule "x" when job is created then archive job')
    result = run("fmt", rules)
    assert result.returncode == 1
    assert "is not closed" in result.stdout


def test_missing_file_is_a_sentence_not_a_traceback(tmp_path):
    result = run("check", tmp_path / "nope.txt")
    assert result.returncode != 0
    assert "cannot read the file" in result.stderr and "Traceback" not in result.stderr
