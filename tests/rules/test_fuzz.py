"""A seeded mutation fuzzer over the contract's example rules: Unicode look-alikes, word-processor
characters, huge numbers, deep nesting and long runs of one character. No input may make the
checker, the formatter or the compiler raise (an internal failure counts too), and none may take
more than a second of CPU.

`make test` runs 20,000 inputs. For a longer run:
``RULES_FUZZ_LONG=1 RULES_FUZZ_INPUTS=500000 python -m pytest -m slow tests/rules/test_fuzz.py``.
"""

import os
import random
import time

import pytest

from rules import (
    Catalog, InternalError, RulesError, check, check_errors, compile_rules, format_errors, format_source,
)

from .conftest import CONTRACT_CATALOG
from .test_contract_examples import SCHEDULES, SECTION_1, SECTION_9

CATALOG = Catalog.from_dict(CONTRACT_CATALOG)
SEEDS = [rule if rule.startswith("rule") else "rule" + rule
         for rule in (SECTION_1 + "\n" + SECTION_9).split("\nrule") if "end" in rule]
SEEDS += [f'rule "s{i}"\n{s}\nthen notify "Ann Lee" "hi {{{{ year }}}}"\nend' for i, s in enumerate(SCHEDULES)]

LOOKALIKES = ["\u0131", "\u0130", "\u017f", "\u212a", "\u00df", "\uff45", "\u0435", "\u200b", "\u00a0", "\u2009",
              "\u201c", "\u201d", "\u2018", "\u2019", "\u00ab", "\u2013", "\u2014", "\ufeff", "\r", "\t", "\x00"]
PIECES = ['"', "{{", "}}", "{%", "#", ",", ", ", "(", ")", "\n", "end", "then", "and", "or", "not", "if", "after",
          "31/12/2026", "2026-02-30", "12:60", "-", "0", "1,000", " up to 0 times", " due in 2 days", "job.",
          "account.balance", "{{ job.name | upper }}", "{{ year }}", "every", "is one of (", "\\"]


def _huge(rng) -> str:
    digits = rng.choice([20, 400, 4_400, 20_000])
    return rng.choice("123456789") * digits


def _nested(rng) -> str:
    depth = rng.choice([30, 80, 400])
    core = rng.choice(['job.name is "x"', "x", "job.due_date"])
    if rng.random() < 0.5:
        return "{{ " + "(" * depth + core + ")" * depth + " }}"
    return "(" * depth + core + ")" * depth


def _run(rng) -> str:
    return rng.choice(['"', "(", "9", "a", " ", "\n", "#", "{", ",", "\u00a0"]) * rng.choice([50, 1_000, 30_000])


def mutate(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(text) + 1)
        roll = rng.random()
        if roll < 0.25:
            piece = rng.choice(LOOKALIKES)
        elif roll < 0.55:
            piece = rng.choice(PIECES)
        elif roll < 0.6:
            piece = _huge(rng)
        elif roll < 0.63:
            piece = _nested(rng)
        elif roll < 0.65:
            piece = _run(rng)
        elif roll < 0.85:
            j = min(len(text), i + rng.randint(1, 12))
            text = text[:i] + text[j:]
            continue
        else:
            piece = chr(rng.randrange(32, 0x2FFF))
        text = text[:i] + piece + text[i:]
    return text


def exercise(text: str) -> None:
    """Everything the app does with a text the user typed."""
    errors = check_errors(text, CATALOG)
    if errors:
        if any(isinstance(e, InternalError) for e in errors):
            raise AssertionError(f"internal failure: {errors[0]}")
        format_errors(text, "rules.txt", errors)
        return
    compile_rules(check(text, CATALOG), tz="America/New_York")
    format_source(text)


def fuzz(seed: int, count: int):
    rng = random.Random(seed)
    failures, slow, spent = [], [], 0.0
    for n in range(count):
        text = mutate(rng, rng.choice(SEEDS))
        started = time.thread_time()
        try:
            exercise(text)
        except RulesError as e:  # only from compile/format of a checked text: never expected
            failures.append((n, f"{type(e).__name__}: {e}", text[:300]))
        except Exception as e:  # noqa: BLE001 - what the fuzzer looks for
            failures.append((n, f"{type(e).__name__}: {e}"[:300], text[:300]))
        took = time.thread_time() - started
        spent += took
        if took > 1.0:
            slow.append((n, round(took, 2), text[:120]))
    return failures, slow, spent


def test_twenty_thousand_mutated_rules_never_crash_nor_take_a_second():
    failures, slow, spent = fuzz(seed=2026, count=20_000)
    assert failures == []
    assert slow == []
    assert spent < 300, f"the fuzz run took {spent:.0f} s of CPU"


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("RULES_FUZZ_LONG"), reason="a long fuzz run: set RULES_FUZZ_LONG=1")
def test_a_long_fuzz_run():
    count = int(os.environ.get("RULES_FUZZ_INPUTS", "200000"))
    failures, slow, _ = fuzz(seed=int(os.environ.get("RULES_FUZZ_SEED", "1")), count=count)
    assert failures == [] and slow == []
