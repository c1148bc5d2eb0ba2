"""Every sentence the rules language says is asked of the reader's translation (issue 14): syntax errors (the parser
is given no translation, so it raises `Words` that keep their template and values), name, type and meaning errors,
and their hints. Run over every wrong rule the other tests of the language write, with a translation that marks
what it was asked: a sentence it did not see is one a French reader would meet in English."""
from __future__ import annotations

import pickle

import pytest

import rules
from rules import check_errors
from rules.language import Words, either, told
from tests.rules.test_checker import CASES
from tests.rules.test_contract_examples import REJECTED
from tests.rules.test_lookalikes import HUGE_NUMBERS, LOOKALIKES
from tests.rules.test_parser import SYNTAX_ERRORS
from tests.rules.test_slips import SLIPS

WRONG = sorted({c[0] for c in CASES + SLIPS + LOOKALIKES + HUGE_NUMBERS + SYNTAX_ERRORS}
               | {text for text, _ in REJECTED.values()})


def marked(message: str) -> str:
    return "<" + message + ">"


@pytest.mark.parametrize("text", WRONG, ids=[t[:60] for t in WRONG])
def test_each_error_and_hint_is_told_through_the_translation(catalog, text):
    errors = check_errors(text, catalog, tr=marked)
    assert errors
    for error in errors:
        assert error.message.startswith("<"), error.message
        assert error.hint is None or error.hint.startswith("<"), error.hint


def test_untranslated_the_errors_read_as_before(catalog):
    """Without a translation, each message is the English sentence the other tests expect (checked there too)."""
    text, message, hint = SYNTAX_ERRORS[1]
    (error,) = check_errors(text, catalog)
    assert (error.message, error.hint) == (message, hint)


def test_words_keep_their_values_in_every_language_and_survive_a_process_boundary():
    found = Words("expected {expected}, found {found}", expected=either([Words("a number"), '"then"', '"and"']),
                  found='"x"')
    assert found == 'expected a number, "then" or "and", found "x"'
    french = {"expected {expected}, found {found}": "{expected} attendu, {found} trouvé",
              "a number": "un nombre", "{first} or {last}": "{first} ou {last}"}
    assert told(found, lambda m: french.get(m, m)) == 'un nombre, "then" ou "and" attendu, "x" trouvé'
    again = pickle.loads(pickle.dumps(found))
    assert again == found and told(again, lambda m: french.get(m, m)) == told(found, lambda m: french.get(m, m))
    assert told("plain", marked) == "plain"


def test_words_kept_as_json_are_told_later_in_any_language():
    """A run's sentence is kept as data (JSON in the run log) and told whenever someone reads it."""
    import json

    inner = rules.Words("the {clause} condition is not met", clause="if")
    outer = rules.Words("Dropped: {why}.", why=inner)
    listed = rules.Words("{first} or {last}", first=[rules.Words("none"), "a"], last=3)
    for words in (outer, listed):
        again = json.loads(json.dumps(rules.kept(words)))
        assert rules.said(str(words), again, lambda t: t) == str(words)
        assert rules.said(str(words), again, lambda t: "<" + t) == words.told(lambda t: "<" + t)
    assert rules.kept("plain text") is None and rules.said("plain text", None, lambda t: "<" + t) == "plain text"
    # A translation naming a placeholder the words lack shows the English kept.
    assert rules.said("Dropped.", {"template": "Dropped: {why}.", "values": {}}, lambda t: t) == "Dropped."
