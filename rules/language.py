"""Facts of the language shared by the checker, compiler and evaluator: fields and their
types, what each trigger carries, and what each action needs."""

from __future__ import annotations

from typing import Callable, Optional

from . import ast as A

# Types of values.
TEXT, NUMBER, DATE, DATETIME, YESNO = "text", "number", "date", "datetime", "yesno"


def N_(message: str) -> str:
    """Marks a message for the app's catalogs (the checker says it in the reader's language)."""
    return message


class Words(str):
    """A sentence in English that keeps its template and values, so that whoever shows it can say it in the reader's
    language: ``told(words, tr)``. The parser raises its errors with these (it is given no translation); the checker
    tells them through the translation the app passes in. Values may be Words too, or lists of them (joined with
    ", ")."""

    template: str
    values: dict

    def __new__(cls, template: str, **values):
        english = {k: ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v for k, v in values.items()}
        made = super().__new__(cls, template.format(**english))
        made.template, made.values = template, values
        return made

    def __reduce__(self):
        return _words_again, (self.template, self.values)

    def told(self, tr: Callable[[str], str]) -> str:
        def one(v):
            if isinstance(v, (list, tuple)):
                return ", ".join(one(x) for x in v)
            return told(v, tr)
        return tr(self.template).format(**{k: one(v) for k, v in self.values.items()})


    def data(self) -> dict:
        """Plain data (JSON) to keep this sentence, so that it can be told later in a reader's language:
        ``Words.from_data``."""
        def one(v):
            if isinstance(v, Words):
                return v.data()
            if isinstance(v, (list, tuple)):
                return [one(x) for x in v]
            return v if isinstance(v, (int, float, bool)) or v is None else str(v)
        return {"template": self.template, "values": {k: one(v) for k, v in self.values.items()}}

    @classmethod
    def from_data(cls, data: dict) -> "Words":
        """The sentence kept by ``data()``."""
        def one(v):
            if isinstance(v, dict) and "template" in v:
                return cls.from_data(v)
            if isinstance(v, list):
                return [one(x) for x in v]
            return v
        return cls(str(data.get("template", "")), **{k: one(v) for k, v in (data.get("values") or {}).items()})


def kept(text) -> "dict | None":
    """What keeps `text` for telling later: ``Words.data()``, or None for text that is not Words."""
    return text.data() if isinstance(text, Words) else None


def said(text, words: "dict | None", tr: Callable[[str], str]) -> str:
    """A sentence kept as `text` (English) and `words` (``kept(...)``), in the reader's language."""
    if isinstance(words, dict) and "template" in words:
        try:
            return Words.from_data(words).told(tr)
        except (KeyError, IndexError, ValueError):
            return str(text)  # a translation that names other placeholders: the English kept
    return str(text)


def _words_again(template: str, values: dict) -> Words:
    return Words(template, **values)


def told(text, tr: Callable[[str], str]):
    """`text` in the reader's language when it is Words (else as it is)."""
    return text.told(tr) if isinstance(text, Words) else text


def either(choices) -> "Words | str":
    """Choices joined with the reader's "or": '"then", "and" or "or"'."""
    choices = list(dict.fromkeys(choices))
    if len(choices) == 1:
        return choices[0]
    return Words(N_("{first} or {last}"), first=choices[:-1], last=choices[-1])


TYPE_WORDS = {
    TEXT: N_("text"), NUMBER: N_("a number"), DATE: N_("a date"), DATETIME: N_("a date and time"), YESNO: N_("yes/no"),
}

# Every field a rule may read (contract §3). Money fields are numbers in dollars; job.hours is the time written
# on the job, in hours.
FIELDS = {
    "job": {
        "name": TEXT, "stage": TEXT, "pipeline": TEXT, "assignee": TEXT, "priority": TEXT,
        "start_date": DATE, "due_date": DATE, "created_at": DATETIME, "entered_stage_at": DATETIME,
        "hours": NUMBER,
    },
    "account": {"name": TEXT, "type": TEXT, "balance": NUMBER, "created_at": DATETIME},
    "contact": {"first_name": TEXT, "last_name": TEXT, "email": TEXT},
    "invoice": {"number": TEXT, "total": NUMBER, "due_date": DATE},
    "proposal": {"name": TEXT, "total": NUMBER},
    "organizer": {"name": TEXT},
    "document": {"name": TEXT, "folder": TEXT},
    "message": {"text": TEXT},
}

ALL_FIELDS = tuple(f"{e}.{n}" for e, names in FIELDS.items() for n in names)

PRIORITIES = ("Low", "Medium", "High")
ACCOUNT_TYPES = ("Individual", "Family", "Company", "Nonprofit", "Trust")

# Fields whose quoted values are checked against the catalog or a fixed list (contract §3).
NAMED_FIELDS = {
    "job.stage": "stage", "job.pipeline": "pipeline", "job.assignee": "member",
    "job.priority": "priority", "account.type": "account type",
}

# Placeholders that are not fields: about the moment the action runs.
SPECIAL_PLACEHOLDERS = ("today", "year", "quarter", "month")

# Trigger event name -> (entities always carried, entities carried only "if linked").
EVENT_CARRIES = {
    "job_entered_stage": ({"job", "account"}, set()),
    "job_left_stage": ({"job", "account"}, set()),
    "job_created": ({"job", "account"}, set()),
    "stage_items_completed": ({"job", "account"}, set()),
    "organizer_submitted": ({"organizer", "account", "contact"}, {"job"}),
    "proposal_signed": ({"proposal", "account", "contact"}, {"job"}),
    "invoice_paid": ({"invoice", "account", "contact"}, {"job"}),
    "document_approved": ({"document", "account", "contact"}, {"job"}),
    "document_rejected": ({"document", "account", "contact"}, {"job"}),
    "signature_completed": ({"document", "account", "contact"}, {"job"}),
    "client_request_completed": ({"account", "contact"}, {"job"}),
    "document_uploaded": ({"document", "account", "contact"}, {"job"}),
    "message_received": ({"message", "account", "contact"}, {"job"}),
    "client_tasks_completed": ({"job", "account", "contact"}, set()),
}

TAG_TARGET_CARRIES = {"account": {"account"}, "job": {"job", "account"}, "contact": {"contact", "account"}}
FOR_EACH_CARRIES = TAG_TARGET_CARRIES

# Every event name the app may send to ``evaluate`` (see README).
EVENT_NAMES = tuple(EVENT_CARRIES) + ("tag_added", "tag_removed", "schedule")

# Every action name ``evaluate`` may plan (``PlannedAction.action``); the app maps each to its effect.
SENT_KINDS = ("email", "message", "organizer", "proposal", "invoice", "client request")
ACTION_NAMES = tuple(f"send_{kind.replace(' ', '_')}" for kind in SENT_KINDS) + (
    "request_signature", "request_approval", "create_task", "create_job", "add_tags", "remove_tags",
    "apply_folder_template", "move_job", "assign_job", "archive_job", "notify", "send_webhook",
)

# Which trigger words bring an entity, for hints ("invoice fields are carried by ...").
CARRIED_BY = {
    "invoice": Words(N_('rules that start with "when invoice is paid"')),
    "proposal": Words(N_('rules that start with "when proposal is signed"')),
    "organizer": Words(N_('rules that start with "when organizer is submitted"')),
    "document": Words(N_('rules that start with "when document is uploaded", "... is approved", '
                         '"... is rejected" or "when signature is completed"')),
    "message": Words(N_('rules that start with "when message is received"')),
    "contact": Words(N_('rules about a client\'s action (like "when invoice is paid") or '
                        '"for each contact"')),
    "job": Words(N_('rules about a job (like "when job enters stage ...") or "for each job"')),
    "account": Words(N_('rules with a trigger, or schedules with "for each"')),
    "answer": Words(N_("an organizer's show-if conditions, not rules")),
}


def carries(rule: A.Rule) -> tuple:
    """(entities the rule always carries, entities carried only if linked)."""
    trigger = rule.trigger
    if isinstance(trigger, A.Schedule):
        if rule.for_each is not None:
            return set(FOR_EACH_CARRIES[rule.for_each.entity]), set()
        return set(), set()
    if isinstance(trigger, A.TagTrigger):
        return set(TAG_TARGET_CARRIES[trigger.target]), set()
    always, linked = EVENT_CARRIES[trigger.event]
    return set(always), set(linked)


def field_type(entity: str, name: str) -> Optional[str]:
    return FIELDS.get(entity, {}).get(name)


def field_table(catalog) -> dict:
    """Every field a rule may read with this catalog: the built-in ones, joined by the firm's own
    (contract §3.1) under their keys, with the language's type of their values. A built-in field keeps
    its meaning when a firm's key repeats its name."""
    fields = getattr(catalog, "fields", None) or {}
    if not fields:
        return FIELDS
    table = {entity: dict(names) for entity, names in FIELDS.items()}
    for entity, defs in fields.items():
        names = table.setdefault(entity, {})
        for key, definition in defs.items():
            names.setdefault(key, definition.value_type)
    return table
