"""The values of the firm's own fields: what each type accepts (one sentence per type when it does not), how a
value is kept (its canonical text) and how rules read it (typed)."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from practice.i18n import N_, _
from practice.services.access.team import EMAIL_RE
from practice.services.errors import InvalidInput
from practice.services.formatting import format_money

# Each type, with the words people read in the type menu.
TYPES: dict[str, str] = {
    "text": N_("Text"), "number": N_("Number"), "money": N_("Money"), "date": N_("Date"), "yesno": N_("Yes/no"),
    "choice": N_("One of a list"), "email": N_("Email"), "phone": N_("Phone"), "url": N_("Web address"),
}
MAX_TEXT = 2000
_YES, _NO = ("yes", "y", "true", "1", "oui"), ("no", "n", "false", "0", "non")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_GROUPED = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_PHONE = re.compile(r"\+?[\d\s().\-]+((ext|x)\.?\s*\d+)?", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s/$.?#][^\s]*\.[^\s]+|https?://[^\s/$.?#][^\s.]*\.[a-z]{2,}[^\s]*", re.IGNORECASE)


def _number_text(raw: str) -> str | None:
    text = raw.replace(" ", "").replace("\u00a0", "")
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "")
    if not _NUMBER.fullmatch(text):
        return None
    return _plain(Decimal(text))


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _clean_number(raw: str, label: str) -> str:
    cleaned = _number_text(raw)
    if cleaned is None or len(cleaned) > 30:
        raise InvalidInput(_("“{label}” takes a number, like 3 or 2.5; “{value}” is not one.")
                           .format(label=label, value=raw))
    return cleaned


def _clean_money(raw: str, label: str) -> str:
    text = raw.replace("$", "").replace("US", "").strip()
    cleaned = _number_text(text)
    if cleaned is None or len(cleaned) > 30 or (("." in cleaned) and len(cleaned.split(".")[1]) > 2):
        raise InvalidInput(_("“{label}” takes an amount in dollars and cents, like 1250 or 1,250.50; “{value}” is "
                             "not one.").format(label=label, value=raw))
    return cleaned


def _clean_date(raw: str, label: str) -> str:
    us = _US_DATE.fullmatch(raw)
    try:
        if us:
            return dt.date(int(us.group(3)), int(us.group(1)), int(us.group(2))).isoformat()
        return dt.date.fromisoformat(raw).isoformat()
    except ValueError:
        raise InvalidInput(_("“{label}” takes a date, like 2027-04-15 or 04/15/2027; “{value}” is not one.")
                           .format(label=label, value=raw)) from None


def _clean_yesno(raw: str, label: str) -> str:
    word = raw.casefold()
    if word in _YES:
        return "yes"
    if word in _NO:
        return "no"
    raise InvalidInput(_("“{label}” is yes or no.").format(label=label))


def _clean_choice(raw: str, label: str, options) -> str:
    for option in options:
        if option.strip().casefold() == raw.casefold():
            return option
    listed = ", ".join(options)
    raise InvalidInput(_("“{label}” is one of: {options}. “{value}” is not one of them.")
                       .format(label=label, options=listed, value=raw))


def _clean_email(raw: str, label: str) -> str:
    email = raw.lower()
    if not EMAIL_RE.match(email):
        raise InvalidInput(_("“{label}” takes an email address, like name@example.com; “{value}” is not one.")
                           .format(label=label, value=raw))
    return email


def _clean_phone(raw: str, label: str) -> str:
    digits = sum(c.isdigit() for c in raw)
    if not _PHONE.fullmatch(raw) or not 7 <= digits <= 20:
        raise InvalidInput(_("“{label}” takes a phone number, like +1 555 010 0199; “{value}” is not one.")
                           .format(label=label, value=raw))
    return " ".join(raw.split())


def _clean_url(raw: str, label: str) -> str:
    url = raw if re.match(r"[a-z][a-z0-9+.-]*://", raw, re.IGNORECASE) else f"https://{raw}"
    if not _URL.fullmatch(url) or not url.lower().startswith(("http://", "https://")):
        raise InvalidInput(_("“{label}” takes a web address, like https://example.com; “{value}” is not one.")
                           .format(label=label, value=raw))
    return url


def clean_value(kind: str, raw, label: str, options=()) -> str:
    """The canonical text kept for a value typed by a person ("" when it is cleared); raises InvalidInput with one
    sentence naming the field and what it takes."""
    text = " ".join(str(raw if raw is not None else "").split()) if kind != "text" else str(raw or "").strip()
    if not text:
        return ""
    if kind == "text":
        if len(text) > MAX_TEXT:
            raise InvalidInput(_("“{label}” is too long: keep it under {n} characters.")
                               .format(label=label, n=f"{MAX_TEXT:,}"))
        return text
    if kind == "choice":
        return _clean_choice(text, label, options)
    cleaner = {"number": _clean_number, "money": _clean_money, "date": _clean_date, "yesno": _clean_yesno,
               "email": _clean_email, "phone": _clean_phone, "url": _clean_url}[kind]
    return cleaner(text, label)


def typed(kind: str, text: str):
    """A kept value as rules read it: numbers and money a Decimal (dollars), a date a date, yes/no a bool, the rest
    text; None for no value (or one the field's type no longer accepts: it reads as empty, never an error)."""
    if text is None or text == "":
        return None
    try:
        if kind in ("number", "money"):
            return Decimal(text)
        if kind == "date":
            return dt.date.fromisoformat(text)
        if kind == "yesno":
            return text == "yes"
    except (InvalidOperation, ValueError):
        return None
    return text


def shown(kind: str, text: str) -> str:
    """A kept value as people read it on a page (money with its currency, yes/no in their language)."""
    if not text:
        return ""
    if kind == "money":
        try:
            return format_money(int((Decimal(text) * 100).to_integral_value()))
        except (InvalidOperation, ValueError):
            return text
    if kind == "yesno":
        return _("Yes") if text == "yes" else _("No")
    return text
