"""The signature pad component: its id ends up in a script, so only plain ids are accepted (what the pad sends
back is checked in practice/state/signature_input.py, tested in tests/state/test_signature_input.py)."""
import pytest

from practice.components.signature_pad import signature_pad


def test_pad_ids_are_checked_because_they_end_up_in_a_script():
    signature_pad("proposal-signature")
    with pytest.raises(ValueError):
        signature_pad("x'); alert(1); ('")
