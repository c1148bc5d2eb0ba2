"""What the signature pad accepts from a browser: drawings and typed names, never junk or an empty pad."""
import math

import pytest

from practice.components.signature_pad import (EMPTY_DRAWING, EMPTY_TEXT, UNREADABLE, signature_from_browser,
                                               signature_kind, signature_pad)


def test_a_drawing_comes_back_as_rounded_points_inside_the_pad():
    got, problem = signature_from_browser({"strokes": [[[0.1, 0.2], [0.123456, 0.5]], [], [[1, 0]]]})
    assert problem == ""
    assert got == {"strokes": [[[0.1, 0.2], [0.1235, 0.5]], [[1.0, 0.0]]]}
    assert signature_kind(got) == "drawn"


def test_a_typed_name_is_trimmed_and_kept():
    got, problem = signature_from_browser({"text": "  Jane   Doe "})
    assert (got, problem) == ({"text": "Jane Doe"}, "")
    assert signature_kind(got) == "typed"


@pytest.mark.parametrize("value, sentence", [
    ({"strokes": []}, EMPTY_DRAWING),
    ({"strokes": [[[0.5, 0.5]]]}, EMPTY_DRAWING),          # a tap is a dot, not a signature
    ({"text": "   "}, EMPTY_TEXT),
    (None, UNREADABLE),
    ("strokes", UNREADABLE),
    ({"strokes": "x"}, UNREADABLE),
    ({"strokes": [[[0.1, 2.0], [0.2, 0.2]]]}, UNREADABLE),  # outside the pad
    ({"strokes": [[[math.nan, 0.1], [0.2, 0.2]]]}, UNREADABLE),
    ({"strokes": [[["a", 0.1], [0.2, 0.2]]]}, UNREADABLE),
    ({"strokes": [[0.1, 0.2]]}, UNREADABLE),
])
def test_empty_or_malformed_input_gets_a_sentence(value, sentence):
    assert signature_from_browser(value) == (None, sentence)


def test_a_huge_drawing_is_cut_to_the_limit():
    got, _ = signature_from_browser({"strokes": [[[0.5, 0.5]] * 1000] * 100})
    assert sum(len(s) for s in got["strokes"]) == 4000


def test_pad_ids_are_checked_because_they_end_up_in_a_script():
    signature_pad("proposal-signature")
    with pytest.raises(ValueError):
        signature_pad("x'); alert(1); ('")
