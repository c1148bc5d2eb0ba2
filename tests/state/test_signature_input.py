"""What the signature pad may send from a browser: drawings and typed names are kept, junk or an empty pad gets the
sentence the signer reads."""
import math

import pytest

from practice.services.errors import InvalidInput
from practice.state.signature_input import (EMPTY_DRAWING, EMPTY_TEXT, UNREADABLE, signature_from_browser,
                                            signature_kind)


def test_a_drawing_comes_back_as_rounded_points_inside_the_pad():
    got = signature_from_browser({"strokes": [[[0.1, 0.2], [0.123456, 0.5]], [], [[1, 0]]]})
    assert got == {"strokes": [[[0.1, 0.2], [0.1235, 0.5]], [[1.0, 0.0]]]}
    assert signature_kind(got) == "drawn"


def test_a_typed_name_is_trimmed_and_kept():
    got = signature_from_browser({"text": "  Jane   Doe "})
    assert got == {"text": "Jane Doe"}
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
    with pytest.raises(InvalidInput) as refused:
        signature_from_browser(value)
    assert str(refused.value) == sentence


def test_a_huge_drawing_is_cut_to_the_limit():
    got = signature_from_browser({"strokes": [[[0.5, 0.5]] * 1000] * 100})
    assert sum(len(s) for s in got["strokes"]) == 4000
