"""What a signature pad sent from the browser, checked and copied: a drawing's strokes or a typed name (any browser
can send anything, so bad input raises a sentence)."""
from __future__ import annotations

from practice.i18n import N_, _
from practice.services.errors import InvalidInput

EMPTY_DRAWING = N_("Draw your signature in the box, or choose Type and type your name.")
EMPTY_TEXT = N_("Type your name to sign, or choose Draw and draw your signature.")
UNREADABLE = N_("We could not read your signature. Clear it and try again.")
# x and y are fractions of the pad's width and height (the pad is PAD_ASPECT times wider than tall, see
# services/signing/stamp.py), so a drawing keeps its shape when x is scaled by PAD_ASPECT.
MAX_STROKES = 200
MAX_POINTS = 4000
MAX_TEXT = 120


def signature_kind(signature: dict) -> str:
    """"drawn" or "typed", as signer_flow.sign and proposals.client_flow.sign (signature_kind=...) expect."""
    return "drawn" if "strokes" in signature else "typed"


def signature_from_browser(value) -> dict:
    """{"strokes": [[[x, y], ...], ...]} (0..1, top-left origin) or {"text": "Jane Doe"}; raises InvalidInput with
    the sentence the signer reads when the pad was empty or what came is not a signature."""
    if not isinstance(value, dict):
        raise InvalidInput(_(UNREADABLE), field="signature")
    if "text" in value:
        text = " ".join(str(value.get("text") or "").split())[:MAX_TEXT]
        if not text:
            raise InvalidInput(_(EMPTY_TEXT), field="signature")
        return {"text": text}
    strokes = _strokes(value.get("strokes"))
    # A lone tap is a dot, not a signature.
    if sum(len(stroke) for stroke in strokes) < 2:
        raise InvalidInput(_(EMPTY_DRAWING), field="signature")
    return {"strokes": strokes}


def _strokes(raw) -> list[list[list[float]]]:
    """The strokes as rounded points inside the pad (at most MAX_STROKES strokes and MAX_POINTS points)."""
    if not isinstance(raw, list):
        raise InvalidInput(_(UNREADABLE), field="signature")
    strokes, points = [], 0
    for stroke in raw[:MAX_STROKES]:
        if not isinstance(stroke, list):
            raise InvalidInput(_(UNREADABLE), field="signature")
        clean = []
        for point in stroke:
            if points >= MAX_POINTS:
                break
            clean.append(_point(point))
            points += 1
        if clean:
            strokes.append(clean)
    return strokes


def _point(point) -> list[float]:
    try:
        x, y = (float(point[0]), float(point[1]))
    except (TypeError, ValueError, IndexError, KeyError):
        raise InvalidInput(_(UNREADABLE), field="signature") from None
    if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):  # also refuses NaN
        raise InvalidInput(_(UNREADABLE), field="signature")
    return [round(x, 4), round(y, 4)]
