"""A log-in with an email nobody has is checked against a stand-in hash made with the same Argon2 parameters as a
real password's, so it takes as long as a wrong password and the answer's timing does not tell which emails exist.
The stand-in is made on first use, not when the module is imported (every worker and command would pay for it)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from practice.services.access import auth

pytestmark = pytest.mark.security


def _parameters(encoded: str) -> str:
    return encoded.split("$")[3]  # $argon2id$v=19$m=...,t=...,p=...$salt$hash


def test_a_missing_hash_is_checked_against_a_stand_in_as_costly_as_a_real_one():
    assert not auth.verify_password("", "not a real password!")
    assert not auth.verify_password(None, "whatever the guess")
    assert _parameters(auth._dummy_hash()) == _parameters(auth.hash_password("a real password"))


def test_importing_the_log_in_module_hashes_nothing():
    probe = ("import argon2\ncalls = []\nreal = argon2.PasswordHasher.hash\n"
             "argon2.PasswordHasher.hash = lambda self, *a, **k: calls.append(1) or real(self, *a, **k)\n"
             "import practice.services.access.auth\nprint(len(calls))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "0"
