"""The public verify page shares the server fairly: a visitor gets a number of checks per window."""
from practice.state import verify


def test_a_visitor_gets_their_share_of_checks_then_a_sentence_then_more_later():
    start = 1_000_000.0
    for n in range(verify.CHECKS_PER_WINDOW):
        assert verify.take_turn("203.0.113.7", now=start + n) == ""
    refused = verify.take_turn("203.0.113.7", now=start + 30)
    assert "please wait" in refused and "minutes" in refused
    assert verify.take_turn("198.51.100.2", now=start + 30) == ""  # another visitor is not held up
    assert verify.take_turn("203.0.113.7", now=start + verify.WINDOW_SECONDS + 5) == ""
