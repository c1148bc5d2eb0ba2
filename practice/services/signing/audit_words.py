"""The signing records as the audit page says them in the signers' language (issue 14).

The request's timeline, a signer's identity check and its result are recorded once, in English (the logs read them
so). The audit page of a sealed file (for the client) and the staff's signature request page say them in their
reader's language: each recorded sentence is matched against the form it was written in, and said again from the
catalog with the same values; one that matches no form (an older wording) is shown as recorded, never lost.
"""
from __future__ import annotations

import re

from practice import i18n
from practice.i18n import N_, _, ngettext

# kind -> [(the English form it was recorded in, the catalog's sentence)]; the values are the named groups. A
# proposal's timeline (services/proposals) records the same kinds in its own words: those forms come first.
TIMELINE = {
    "created": [(r'(?P<actor>.+?) prepared "(?P<title>.*)" for (?P<names>.+?)(?P<note>; .+)?',
                 N_('{actor} prepared "{title}" for {names}'))],
    "sent": [(r"Sent by (?P<actor>.+?) to (?P<emails>.+)", N_("Sent by {actor} to {emails}")),
             (r"(?P<actor>.+?) sent it for signature in order(?:; emailed (?P<emails>.+))?",
              N_("{actor} sent it for signature, one signer after the other")),
             (r"(?P<actor>.+?) sent it for signature(?:; emailed (?P<emails>.+))?",
              N_("{actor} sent it for signature"))],
    "cancelled": [(r"Cancelled by (?P<actor>.+)", N_("Cancelled by {actor}")),
                  (r"(?P<actor>.+) cancelled the request", N_("{actor} cancelled the request"))],
    "reminded": [(r"Reminder (?P<n>\d+) emailed to (?P<emails>.+)", N_("Reminder {n} emailed to {emails}"))],
    "viewed": [(r"Opened by (?P<name>.+)", N_("Opened by {name}")),
               (r"(?P<name>.+) opened the document", N_("{name} opened the document"))],
    "consented": [(r"(?P<name>.+) agreed to sign electronically \(disclosure SHA-256 (?P<hash>\w+)\.\.\.\)",
                   N_("{name} agreed to sign electronically (disclosure SHA-256 {hash}...)")),
                  (r"(?P<name>.+) agreed to sign and receive records electronically \(disclosure (?P<hash>\w+)\)",
                   N_("{name} agreed to sign and receive records electronically (disclosure {hash})"))],
    "code_sent": [(r"A one-time code was emailed to (?P<email>.+)", N_("A one-time code was emailed to {email}"))],
    "code_failed": [(r"A wrong code was entered \(try (?P<n>\d+) of (?P<of>\d+)\)",
                     N_("A wrong code was entered (try {n} of {of})"))],
    "code_ok": [(r"The one-time code sent to (?P<email>.+) was entered correctly",
                 N_("The one-time code sent to {email} was entered correctly"))],
    "signed": [(r"Signed by (?P<name>.+) \(typed\) for (?P<total>.+)", N_("Signed by {name} (typed signature) for {total}")),
               (r"Signed by (?P<name>.+) \(drawn\) for (?P<total>.+)", N_("Signed by {name} (drawn signature) for {total}")),
               (r"(?P<name>.+) signed \(drawn signature\)", N_("{name} signed (drawn signature)")),
               (r"(?P<name>.+) signed \(typed signature\)", N_("{name} signed (typed signature)"))],
    "turn": [(r"It is (?P<name>.+)'s turn; emailed (?P<email>.+)", N_("It is {name}'s turn; emailed {email}"))],
    "declined": [(r"Declined by (?P<name>.+?): (?P<reason>.*)", N_("Declined by {name}: {reason}")),
                 (r"(?P<name>.+?) declined to sign: (?P<reason>.*)", N_("{name} declined to sign: {reason}"))],
    "sealed": [(r'Sealed PDF filed as "(?P<name>.*)" \(SHA-256 (?P<hash>\w+)\)',
                N_('Sealed PDF filed as "{name}" (SHA-256 {hash})')),
               (r'Everyone signed; sealed as "(?P<name>.*)" \(SHA-256 (?P<hash>\w+)\)',
                N_('Everyone signed; sealed as "{name}" (SHA-256 {hash})'))],
}
# What a line recorded without a sentence says: its kind.
KINDS = {"created": N_("Prepared"), "sent": N_("Sent"), "cancelled": N_("Cancelled"), "reminded": N_("Reminded"),
         "viewed": N_("Opened"), "consented": N_("Agreed to sign electronically"), "code_sent": N_("Code sent"),
         "code_failed": N_("Wrong code"), "code_ok": N_("Code entered"), "signed": N_("Signed"),
         "turn": N_("Next signer's turn"), "declined": N_("Declined"), "sealed": N_("Sealed"),
         "invoiced": N_("Invoice issued"), "paid": N_("Paid")}

EMAILED = N_("; emailed {emails}")
EVERY_SIGNER_CODE = "; each signer also enters a code sent by email"
SOME_SIGNERS_CODE = re.compile(r"; (?P<names>.+) also enters? a code sent by email")
IDENTITY = [(r"portal password", N_("portal password")),
            (r"portal password \+ one-time code sent to (?P<email>.+)", N_("portal password + one-time code sent to "
                                                                          "{email}")),
            (r"passed: logged in to the portal as (?P<login>.+?); code confirmed (?P<at>\S+)(?: after (?P<n>\d+) wrong "
             r"tr(?:y|ies))?", N_("passed: logged in to the portal as {login}; code confirmed {at}")),
            (r"passed: logged in to the portal as (?P<login>.+)", N_("passed: logged in to the portal as {login}")),
            (r"logged in to the client portal", N_("logged in to the client portal"))]
STATUSES = {"signed": N_("signed"), "declined": N_("declined"), "pending": N_("not signed")}


def _code_note(note: str) -> str:
    if note == EVERY_SIGNER_CODE:
        return _("; each signer also enters a code sent by email")
    found = SOME_SIGNERS_CODE.fullmatch(note)
    if found:
        names = found["names"]
        return ngettext("; {names} also enters a code sent by email", "; {names} also enter a code sent by email",
                        names.count(",") + 1).format(names=names)
    return note


def timeline_sentence(kind: str, detail: str) -> str:
    """A recorded timeline sentence in the language of the moment (as recorded when it matches no known form)."""
    if i18n.current_locale() == i18n.SOURCE:
        return detail
    for pattern, sentence in TIMELINE.get(kind, []):
        found = re.fullmatch(pattern, detail, re.S)
        if found is None:
            continue
        values = {k: v or "" for k, v in found.groupdict().items()}
        text = _(sentence).format(**values)
        if values.get("note"):
            text += _code_note(values["note"])
        if kind == "sent" and values.get("emails") and "{emails}" not in sentence:
            text += _(EMAILED).format(emails=values["emails"])
        return text
    return detail


def kind_word(kind: str) -> str:
    """A timeline line recorded without a sentence, said by its kind."""
    return _(KINDS[kind]) if kind in KINDS else kind.replace("_", " ").capitalize()


def identity_words(recorded: str, format_time=str) -> str:
    """A signer's recorded identity check or its result in the language of the moment; `format_time` writes the
    moment the code was confirmed (recorded in ISO form)."""
    if i18n.current_locale() == i18n.SOURCE:
        return recorded
    for pattern, sentence in IDENTITY:
        found = re.fullmatch(pattern, recorded or "", re.S)
        if found is None:
            continue
        values = {k: v or "" for k, v in found.groupdict().items()}
        if values.get("at"):
            values["at"] = format_time(values["at"])
        text = _(sentence).format(**values)
        if values.get("n"):
            n = int(values["n"])
            text += ngettext(" after {n} wrong try", " after {n} wrong tries", n).format(n=n)
        return text
    return recorded


def status_word(status: str) -> str:
    """A signer's status as the audit page says it."""
    return _(STATUSES[status]) if status in STATUSES else status
