"""One answer as the client types it, checked against its question's kind and kept in the organizer's JSON; and an
answer as a custom field or a tag rule reads it on submission. A bad value is refused with one sentence naming the
question; the answers kept stay as they were."""
from __future__ import annotations

from decimal import Decimal

from practice.i18n import _
from practice.models import QuestionKind as K
from practice.services.errors import InvalidInput
from practice.services.formatting import format_money
from practice.services.organizers.answering import Question, is_answered
from practice.services.work.custom_values import clean_value

MAX_SHORT = 2000
MAX_LONG = 20000


def _text(question: Question, raw, limit: int) -> str | None:
    text = str(raw if raw is not None else "").strip()
    if len(text) > limit:
        raise InvalidInput(_("“{label}” is too long: keep it under {n} characters.")
                           .format(label=question.label, n=f"{limit:,}"), field=question.key)
    return text or None


def _number(question: Question, raw):
    text = clean_value("number", raw, question.label)
    if not text:
        return None
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() else float(value)


def _money(question: Question, raw):
    text = clean_value("money", raw, question.label)
    return int(Decimal(text) * 100) if text else None


def _yes_no(question: Question, raw):
    if isinstance(raw, bool):
        return raw
    text = clean_value("yesno", raw, question.label)
    return (text == "yes") if text else None


def _choice(question: Question, raw) -> str:
    """A choice of the question's list, picked or typed as its value or as the label the reader sees for it; a
    refusal lists the choices in the reader's words."""
    text = str(raw if raw is not None else "").strip()
    try:
        return clean_value("choice", question.choice_for(text), question.label, question.options)
    except InvalidInput:
        labels = ", ".join(question.label_of(o) for o in question.options)
        raise InvalidInput(_("“{label}” is one of: {options}. “{value}” is not one of them.")
                           .format(label=question.label, options=labels, value=text)) from None


def _several(question: Question, raw):
    items = raw if isinstance(raw, (list, tuple)) else [raw]
    chosen = [_choice(question, item) for item in items]
    chosen = [c for c in dict.fromkeys(chosen) if c]
    return [o for o in question.options if o in chosen] or None


def clean_answer(question: Question, raw):
    """The value kept for what the client gave (None clears the answer). Files and repeated groups have their own
    calls (attach a file, add an entry)."""
    try:
        if question.kind == K.short_text:
            return _text(question, raw, MAX_SHORT)
        if question.kind == K.long_text:
            return _text(question, raw, MAX_LONG)
        if question.kind == K.number:
            return _number(question, raw)
        if question.kind == K.money:
            return _money(question, raw)
        if question.kind == K.date:
            return clean_value("date", raw, question.label) or None
        if question.kind == K.yes_no:
            return _yes_no(question, raw)
        if question.kind == K.one_of:
            return _choice(question, raw) or None
        if question.kind == K.several_of:
            return _several(question, raw)
    except InvalidInput as err:
        raise InvalidInput(str(err), field=question.key) from None
    raise InvalidInput(_("“{label}” is answered with files or entries, not typed text.").format(label=question.label),
                       field=question.key)


def field_text(question: Question, value) -> str:
    """An answer as the custom field it writes into takes it (the field checks it again)."""
    if value is None:
        return ""
    if question.kind == K.money and isinstance(value, int):
        return str(Decimal(value) / 100)
    if question.kind == K.yes_no:
        return "yes" if value else "no"
    if question.kind == K.several_of and isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def says_yes(question: Question, value) -> bool:
    """Whether a submitted answer applies its question's tags: a yes/no question when answered yes, any other when
    answered."""
    if question.kind == K.yes_no:
        return value is True
    return is_answered(question, value)


def shown(question: Question, value) -> str:
    """An answer as staff read it on the organizer's page (a choice in the words of the question's language)."""
    if value is None or value == [] or value == "":
        return ""
    if question.kind == K.yes_no:
        return _("Yes") if value else _("No")
    if question.kind == K.money and isinstance(value, int):
        return format_money(value)
    if isinstance(value, (list, tuple)) and question.kind == K.several_of:
        return ", ".join(question.label_of(v) for v in value)
    if question.kind == K.one_of:
        return question.label_of(value)
    return str(value)
