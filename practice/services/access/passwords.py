"""What makes a password acceptable, for staff and clients alike: long enough, not one of the most common ones,
not the email address."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from practice.i18n import _
from practice.services.errors import InvalidInput

MIN_PASSWORD = 8
MAX_PASSWORD = 200
COMMON_PASSWORDS = Path(__file__).resolve().parents[2] / "data" / "common_passwords.txt"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of the most common passwords (lowercase)."""
    return frozenset(line.strip() for line in COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines() if line.strip())


def check_password(password: str, email: str) -> None:
    """Raise InvalidInput with a sentence when the password is too weak."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(_("Choose a password of at least {count} characters.").format(count=MIN_PASSWORD), field="password")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(_("Choose a password of at most {count} characters.").format(count=MAX_PASSWORD), field="password")
    if password.strip().lower() in common_passwords():
        raise InvalidInput(_("That password is one of the most common ones, which attackers try first. "
                             "Choose a less common one (a few unrelated words work well)."), field="password")
    local = (email or "").split("@")[0].strip().lower()
    if len(local) >= 3 and local in password.lower():
        raise InvalidInput(_("The password contains your email address. Choose one that does not."), field="password")
