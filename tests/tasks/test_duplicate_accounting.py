"""How the chaos tests tell a duplicate a kill explains from one it does not (tests/smtp.py unexplained_duplicates)."""
from tests.smtp import unexplained_duplicates


def copy(began, accepted, quit=None, peer=("127.0.0.1", 40000)):
    return {"message_id": "<1@x>", "began": began, "accepted": accepted, "quit": quit, "peer": peer}


def test_a_kill_after_the_client_sent_the_message_explains_a_second_copy_even_if_the_250_came_later():
    # The loaded server took its 250 decision 80 ms after the kill of a client that had already sent everything.
    _, outside, _ = unexplained_duplicates([copy(100.0, 100.5), copy(103.0, 103.1, 103.2)], kills=[100.42])
    assert outside == []


def test_a_first_copy_that_got_its_quit_is_never_explained():
    _, outside, account = unexplained_duplicates([copy(100.0, 100.1, 100.12), copy(103.0, 103.1, 103.2)],
                                                 kills=[100.11])
    assert outside == ["<1@x>"]
    assert "copy 1 from ('127.0.0.1', 40000): began +0 ms, 250 +100 ms, QUIT +120 ms" in account
    assert "kills near it: +110 ms" in account


def test_a_kill_before_the_recipient_was_answered_explains_nothing():
    _, outside, _ = unexplained_duplicates([copy(100.0, 100.1), copy(103.0, 103.1, 103.2)], kills=[99.9])
    assert outside == ["<1@x>"]
