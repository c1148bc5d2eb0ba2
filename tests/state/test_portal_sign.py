"""The signing page's small helpers: what the client reads about an address, initials, a drawn signature and
each request in the portal's list."""
import datetime as dt
from types import SimpleNamespace
from urllib.parse import unquote

from practice.state.portal import signing_items
from practice.state.portal_sign import PortalSignState, initials_of, masked_email, strokes_svg


def test_the_code_address_is_masked_but_recognisable():
    assert masked_email("june@hartley.example") == "j***@hartley.example"
    assert masked_email("") == "" and masked_email("not-an-address") == ""


def test_initials_come_from_the_name():
    assert initials_of("June Hartley") == "JH"
    assert initials_of("  jean-luc de la  Tour ") == "JDLT"
    assert initials_of("") == ""


def test_a_drawn_signature_becomes_an_svg_cropped_to_the_ink():
    svg = unquote(strokes_svg([[[0.1, 0.5], [0.4, 0.2]], [[0.5, 0.5]]]))
    assert svg.startswith("data:image/svg+xml")
    assert svg.count("<polyline") == 2
    # x is scaled by the pad's 3:1 shape, so the drawing keeps its proportions.
    assert 'points="0.3000,0.5000 1.2000,0.2000"' in svg
    assert strokes_svg([]) == ""


def _view(**overrides):
    base = dict(id=7, title="Form 8879", status="sent", my_turn=True, waiting_for=["June Hartley"], signed_count=0,
                signer_count=2, sent_at=dt.datetime(2024, 3, 4, 12, 0), created_at=dt.datetime(2024, 3, 4, 11, 0))
    return SimpleNamespace(**{**base, **overrides})


def test_each_request_says_what_it_waits_for():
    mine, theirs, done, stopped = signing_items([
        _view(), _view(id=8, my_turn=False, signed_count=1, waiting_for=["Jim Hartley"]),
        _view(id=9, status="completed", my_turn=False), _view(id=10, status="declined", my_turn=False)])
    assert (mine.status, mine.my_turn, mine.href) == ("Waiting for your signature · 0 of 2 signed", True,
                                                      "/portal/sign/7")
    assert mine.asked == "Asked Mar 4, 2024"  # another year: with its year
    assert theirs.status == "Waiting for Jim Hartley · 1 of 2 signed" and not theirs.my_turn
    assert done.status == "Signed by everyone · the signed copy is in Documents"
    assert stopped.status == "Declined"


def test_a_box_shows_its_value_as_large_as_it_prints_and_a_text_too_long_for_it_is_refused():
    state = PortalSignState()
    state._positions = {"7": (0, 0.1, 0.5, 0.1, 0.03), "8": (0, 0.5, 0.5, 0.3, 0.03)}
    state._kinds, state._labels, state._required = {"7": "text", "8": "date"}, {"7": "Phone"}, {"7": True}
    state._sizes, state.today = [(612.0, 792.0)], "September 28, 2026"
    assert state._text_problem(7, "555 0100") == ""
    assert state._text_problem(7, "Call me on weekdays after six at 555 0100 or 555 0199") == (
        "This is too long for its box: shorten it.")
    assert "500 characters" in state._text_problem(7, "x" * 501)
    # The date prints at 11 points on a 612-point page: 1.797 hundredths of the page's width.
    date = state._field_item(1, 8)
    assert (date.shown, date.font_size, date.filled) == ("September 28, 2026", "1.797cqw", True)
