"""Evaluating compiled rules on an event: which rules fire, why, and what they would do.

Nothing here changes anything: ``evaluate`` returns decisions (with each condition part and
the values it read) and planned actions as plain data; the app carries them out, with an
idempotency key per rule x event x action index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from typing import Any, Mapping, Optional

from .catalog import Catalog, name_key
from .compiler import CompiledRule, CompiledRuleSet
from .errors import EvaluationError
from .language import DATE, DATETIME, EVENT_NAMES, FIELDS, NUMBER, TEXT, YESNO, N_, Words
from .placeholders import RenderError
from .planning import action_reads, plan_action
from .semantics import fields_read
from .timeutil import aware, local_date

ITEM_OF_EVENT = {
    "organizer_submitted": "organizer",
    "proposal_signed": "proposal",
    "invoice_paid": "invoice",
    "document_approved": "document",
    "document_rejected": "document",
    "signature_completed": "document",
    "document_uploaded": "document",
    "message_received": "message",
}


@dataclass(frozen=True)
class Event:
    """Something that happened, as the app reports it to the rules.

    ``kind`` is one of ``EVENT_NAMES``. Stage events give the ``stage`` entered or left and
    the job's ``pipeline``; ``job_created`` gives the ``pipeline``; tag events give the
    ``tag`` and its ``target`` ("account", "job" or "contact"); ``schedule`` names the
    scheduled ``rule`` that came due. ``id`` is the app's own event id, passed through.
    """

    kind: str
    stage: Optional[str] = None
    pipeline: Optional[str] = None
    tag: Optional[str] = None
    target: Optional[str] = None
    rule: Optional[str] = None
    id: Optional[Any] = None

    def __post_init__(self):
        if self.kind not in EVENT_NAMES:
            raise EvaluationError(f'"{self.kind}" is not an event the rules know',
                                  hint="events: " + ", ".join(EVENT_NAMES))


@dataclass(frozen=True)
class ConditionPart:
    """One test of a condition as it was evaluated: its text, the values it read, the result."""

    clause: str  # "where" or "if"
    text: str
    values: dict
    result: bool


@dataclass(frozen=True)
class RuleDecision:
    """What one rule decided on one event.

    ``fired`` is True when the trigger matched and the conditions held. ``reason`` says why a
    rule did not fire or could not run; ``error`` says why planning its actions stopped
    (the actions planned before it are kept, later ones are not planned).
    """

    rule: str
    index: int
    event: str
    fired: bool
    parts: tuple = ()
    actions: tuple = ()
    reason: Optional[str] = None
    error: Optional[str] = None

    @property
    def ok(self) -> bool:
        return self.fired and self.error is None


# ------------------------------------------------------------------ facts


def prepare_facts(facts: Mapping, catalog: Optional[Catalog] = None) -> dict:
    """Facts in the shape the compiled rules read: every field present, values typed.

    ``facts`` maps "job", "account", "contact" and the trigger's item ("invoice",
    "organizer"...; also accepted as "item") to dicts or objects with those fields, or None.
    Dates may be ``date`` or ISO text; moments ``datetime`` (naive ones are UTC) or ISO
    text; numbers int, Decimal, float or text; yes/no ``bool`` or "yes"/"no"; tags any list of names.
    With a ``catalog`` carrying the firm's own fields (contract §3.1), those are typed too.
    """
    out = {}
    table = catalog.field_types if catalog is not None else FIELDS
    for entity, names in table.items():
        raw = facts.get(entity) if isinstance(facts, Mapping) else getattr(facts, entity, None)
        if raw is None:
            out[entity] = None
            continue
        get = raw.get if isinstance(raw, Mapping) else (lambda k, _r=raw: getattr(_r, k, None))
        record = dict(raw) if isinstance(raw, Mapping) else {}
        for name, t in names.items():
            record[name] = _coerce(get(name), t, f"{entity}.{name}")
        tags = get("tags")
        record["tags"] = tuple(str(x) for x in tags) if tags else ()
        out[entity] = record
    return out


def _coerce(v, t, path):
    if v is None:
        return None
    try:
        if t == TEXT:
            return v if isinstance(v, str) else str(v)
        if t == NUMBER:
            if isinstance(v, bool):
                raise TypeError
            if isinstance(v, (int, float, Decimal)):
                return v
            return Decimal(str(v).strip())
        if t == DATE:
            if isinstance(v, datetime):
                return v.date() if v.tzinfo is None else v
            if isinstance(v, date):
                return v
            return date.fromisoformat(str(v).strip())
        if t == DATETIME:
            if isinstance(v, datetime):
                return aware(v)
            if isinstance(v, date):
                return aware(datetime.combine(v, time(0)))
            return aware(datetime.fromisoformat(str(v).strip()))
        if t == YESNO:
            return _yes_no(v)
    except (TypeError, ValueError, InvalidOperation):
        words = {TEXT: "text", NUMBER: "a number", DATE: "a date", DATETIME: "a date and time", YESNO: "yes or no"}[t]
        raise EvaluationError(f"the facts give {v!r} for {path}, which is not {words}") from None
    return v


_YES, _NO = ("yes", "true", "y", "1"), ("no", "false", "n", "0")


def _yes_no(v) -> bool:
    if isinstance(v, bool):
        return v
    word = str(v).strip().casefold()
    if word in _YES or word in _NO:
        return word in _YES
    raise ValueError(v)


def _fix_dates(facts: dict, tz, fields: Optional[dict] = None) -> dict:
    # An aware datetime given for a date field counts by its date in the firm's time zone.
    for entity, names in (fields or FIELDS).items():
        record = facts.get(entity)
        if not record:
            continue
        for name, t in names.items():
            v = record.get(name)
            if t == DATE and isinstance(v, datetime):
                record[name] = local_date(v, tz)
    return facts


def _prepared(compiled: CompiledRuleSet, facts: Mapping) -> dict:
    catalog = compiled.catalog
    return _fix_dates(prepare_facts(facts, catalog), compiled.tz, catalog.field_types)


def _with_item(event: Event, facts: Mapping) -> Mapping:
    item_entity = ITEM_OF_EVENT.get(event.kind)
    if item_entity and facts.get(item_entity) is None and facts.get("item") is not None:
        facts = dict(facts)
        facts[item_entity] = facts["item"]
    return facts


# ------------------------------------------------------------------ matching


def trigger_matches(rule: CompiledRule, event: Event) -> Optional[str]:
    """None when the rule's trigger matches the event, else why not (in words)."""
    if rule.event != event.kind:
        return Words(N_("this rule starts on {rule_event}, not on {event}"), rule_event=rule.event.replace("_", " "),
                     event=event.kind.replace("_", " "))
    if rule.stage is not None:
        if event.stage is None or name_key(event.stage) != name_key(rule.stage):
            return Words(N_('the stage is "{stage}", not "{rule_stage}"'), stage=event.stage, rule_stage=rule.stage)
    if rule.pipeline is not None and event.kind != "schedule":
        if event.pipeline is None or name_key(event.pipeline) != name_key(rule.pipeline):
            return Words(N_('the job is in pipeline "{pipeline}", not "{rule_pipeline}"'), pipeline=event.pipeline,
                         rule_pipeline=rule.pipeline)
    if rule.tag is not None:
        if event.tag is None or name_key(event.tag) != name_key(rule.tag):
            return Words(N_('the tag is "{tag}", not "{rule_tag}"'), tag=event.tag, rule_tag=rule.tag)
        if event.target is not None and event.target != rule.tag_target:
            return Words(N_("the tag changed on a {target}, not on a {rule_target}"), target=event.target,
                         rule_target=rule.tag_target)
    if event.kind == "schedule" and event.rule is not None and name_key(event.rule) != name_key(rule.name):
        return Words(N_('the schedule that came due is "{name}"'), name=event.rule)
    return None


# ------------------------------------------------------------------ evaluation


def evaluate(compiled: CompiledRuleSet, event: Event, facts: Mapping, now: datetime, *,
             prepared: bool = False) -> list:
    """Decisions of every rule whose trigger matches the event, in file order.

    ``now`` is an aware datetime (the moment of the event). For each rule: whether it fires,
    each condition part with the values it read, and the actions it plans, with their
    placeholders rendered. Raises ``EvaluationError`` only for facts of the wrong type.
    ``prepared``: the facts are already in the shape ``prepare_facts`` gives (see ``matching``).
    """
    now = aware(now)
    if not prepared:
        facts = _prepared(compiled, _with_item(event, facts))
    decisions = []
    for rule in compiled.rules:
        if trigger_matches(rule, event) is not None:
            continue
        decisions.append(_decide(compiled, rule, event, facts, now))
    return decisions


def dry_run(compiled: CompiledRuleSet, event: Event, facts: Mapping, now: datetime) -> list:
    """Like ``evaluate``, but every rule of the file gets a decision ("Try on a job"):
    rules whose trigger does not match say why in ``reason``."""
    now = aware(now)
    facts = _prepared(compiled, _with_item(event, facts))
    decisions = []
    for rule in compiled.rules:
        why = trigger_matches(rule, event)
        if why is not None:
            decisions.append(RuleDecision(rule.name, rule.index, event.kind, False, reason=why))
        else:
            decisions.append(_decide(compiled, rule, event, facts, now))
    return decisions


def matching(compiled: CompiledRuleSet, rule_name: str, records, now: datetime, *, prepared: bool = False) -> list:
    """For a schedule's sweep: the records (facts of one job, account or contact each) that
    satisfy the rule's ``where`` condition, using the compiled predicate.

    ``prepared``: the caller built every record in the shape ``prepare_facts`` gives (every field
    of each entity present, texts ``str``, numbers ``int`` or ``Decimal``, dates ``date``, moments
    aware ``datetime``, tags a tuple of names; extra keys are ignored), as a database query can
    in bulk; the records are then read as they are, with no per-record preparation."""
    now = aware(now)
    rule = compiled.rule(rule_name)
    if rule.where is None:
        return list(records)
    pred = rule.where.bind(now)
    if not prepared:
        facts_of = [_prepared(compiled, r) for r in records]
        return [raw for raw, facts in zip(records, facts_of, strict=True)
                if _missing(rule, facts, Event("schedule")) is None and pred(facts)]
    needed = sorted(rule.uses & (rule.carried | rule.linked))
    if not needed:
        return [r for r in records if pred(r)]
    # A record lacking one of them does not run (as `_missing` says); the usual one or two checked inline.
    if len(needed) == 1:
        entity = needed[0]
        return [r for r in records if r[entity] is not None and pred(r)]
    if len(needed) == 2:
        first, second = needed
        return [r for r in records if r[first] is not None and r[second] is not None and pred(r)]
    entities = itemgetter(*needed)
    return [r for r in records if None not in entities(r) and pred(r)]


def decide_each(compiled: CompiledRuleSet, rule_name: str, records, now: datetime) -> list:
    """For a schedule's sweep: ``(record, decision)`` for each record the rule's ``where`` picks,
    each decision the one ``evaluate(..., prepared=True)`` gives that record (records prepared as
    ``matching`` says).

    Records that agree on every value the rule can read (its conditions, its actions' placeholders
    and dates, which entities are present) share one decision, worked out once: over 10,000
    accounts, ``where account.type is "Individual"`` with ``create job "Books {{ month }}"`` is
    decided once, not 10,000 times."""
    now = aware(now)
    rule = compiled.rule(rule_name)
    event = Event("schedule", rule=rule.name)
    if trigger_matches(rule, event) is not None:
        return []
    key_of = _reads_key(rule)
    decided: dict = {}
    out = []
    for record in matching(compiled, rule_name, records, now, prepared=True):
        key = key_of(record) if key_of is not None else None
        try:
            decision = decided.get(key)
        except TypeError:  # a value that is not hashable (a list): decided on its own
            key = decision = None
        if decision is None:
            decision = _decide(compiled, rule, event, record, now)
            if key is not None:
                decided[key] = decision
        out.append((record, decision))
    return out


def _reads_key(rule: CompiledRule):
    """A function giving, for prepared facts, a key equal for two records exactly when they agree on
    everything the rule reads; None when what it reads is not known."""
    reads = set()
    for cond in (rule.where, rule.condition):
        if cond is not None:
            reads |= fields_read(cond.ast)
    for action in rule.actions:
        more = action_reads(action)
        if more is None:
            return None
        reads |= more
    present = tuple(sorted(set(rule.uses) | {entity for entity, _ in reads}))
    paths = tuple(sorted(reads))

    def key(record):
        return (tuple(record.get(e) is None for e in present),
                tuple(_as_key((record.get(e) or {}).get(name)) for e, name in paths))
    return key


def _as_key(v):
    """A value as part of a key: values Python finds equal but a rule shows differently (1 and True,
    1.0 and 1.00, one moment in two time zones) give different keys."""
    t = type(v)
    if t is str or v is None:
        return v
    if t is datetime:
        return (t, v, v.tzinfo, v.fold)
    if t is Decimal:
        return (t, v.as_tuple())
    return (t, v)


def run_delayed(compiled: CompiledRuleSet, rule_name: str, action_index: int, event: Event,
                facts: Mapping, now: datetime) -> RuleDecision:
    """When a delayed (``after ...``) action comes due: the rule's ``where`` and ``if`` are
    checked again on today's facts; the decision plans only that action, or says why it is
    dropped."""
    now = aware(now)
    rule = compiled.rule(rule_name)
    facts = _prepared(compiled, _with_item(event, facts))
    decision = _decide(compiled, rule, event, facts, now, only=action_index, delayed=True)
    if not decision.fired:
        reason = decision.reason or Words(N_("the rule's conditions no longer hold"))
        return RuleDecision(decision.rule, decision.index, decision.event, False, decision.parts, (),
                            Words(N_("the delayed action was dropped: {reason}"), reason=reason))
    return decision


def _missing(rule: CompiledRule, facts: dict, event: Event) -> Optional[str]:
    for entity in sorted(rule.uses & (rule.carried | rule.linked)):
        if facts.get(entity) is None:
            if entity in rule.linked:
                item = ITEM_OF_EVENT.get(event.kind, "client request")
                return Words(N_("the {item} is not linked to a job, so the rule did not run"), item=item)
            return Words(N_("the event carries no {entity}, so the rule did not run"), entity=entity)
    return None


def _decide(compiled, rule: CompiledRule, event, facts, now, only=None, delayed=False) -> RuleDecision:
    missing = _missing(rule, facts, event)
    if missing:
        return RuleDecision(rule.name, rule.index, event.kind, False, reason=missing)
    parts = []
    try:
        for clause, cond in (("where", rule.where), ("if", rule.condition)):
            if cond is None:
                continue
            # The compiled predicate decides; the explanation records what it read.
            result = cond.bind(now)(facts)
            _, cond_parts = cond.explain(facts, now, clause)
            parts.extend(ConditionPart(*p) for p in cond_parts)
            if not result:
                return RuleDecision(rule.name, rule.index, event.kind, False, tuple(parts),
                                    reason=Words(N_("the {clause} condition is not met"), clause=clause))
    except EvaluationError as e:
        return RuleDecision(rule.name, rule.index, event.kind, False, tuple(parts),
                            reason=Words(N_("could not be evaluated: {error}"), error=e.message))
    except (OverflowError, ValueError):
        return RuleDecision(rule.name, rule.index, event.kind, False, tuple(parts),
                            reason=Words(N_("could not be evaluated: {error}"),
                                         error=Words(N_("a date in this rule falls outside the calendar"))))
    planned = []
    error = None
    for action in rule.actions:
        if only is not None and action.index != only:
            continue
        try:
            planned.append(plan_action(compiled, rule, action, facts, now, delayed=delayed))
        except (EvaluationError, RenderError) as e:
            error = Words(N_("{action}: {error}"), action=action.text, error=getattr(e, "message", None) or str(e))
            break
        except (OverflowError, ValueError):
            error = Words(N_("{action}: {error}"), action=action.text,
                          error=Words(N_("a date in this action falls outside the calendar")))
            break
    return RuleDecision(rule.name, rule.index, event.kind, True, tuple(parts), tuple(planned), error=error)
