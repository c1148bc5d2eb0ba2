"""Automations: the firm's rules, run on events and schedules, exactly once, each run explained.

The worker calls `handle_event` (registered in `events.HANDLERS`) inside the transaction that
marks the event handled, so a run's log rows, its effects and the 'handled' mark commit
together: a worker killed half-way leaves nothing done and the event pending. Each effect
also carries an idempotency key (rule × trigger × action), so a retry from the run log never
repeats what already happened.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass

from sqlalchemy import func, insert, select, text
from sqlmodel import Session

import rules
from practice.models import (Account, ActionEffect, Contact, DocumentTemplate, Due, EmailTemplate, Event,
                             FolderTemplate, Job, Pipeline, ProposalTemplate, RuleRun, RuleSet, RunStatus,
                             ScheduleState, Signer, Stage, Tag, TeamMember, utcnow)
from practice.services import audit, events, inbox
from practice.services.mail import outbox, templates as mail_templates
from practice.services.work.accounts import set_account_tag, set_contact_tag
from practice.services.actor import Actor, require_admin
from practice.services.errors import InvalidInput, NotFound, PracticeError
from practice.services.facts import account_recipients, facts_for, template_context
from practice.services.firm import get_firm

log = logging.getLogger(__name__)

CHAIN_LIMIT = 10
# Actions the language accepts whose feature is not built yet: skipped, with this reason.
NOT_AVAILABLE = {
    "send_message": "chat messages", "send_organizer": "organizers",
    "send_invoice": "invoices",
}


class RulesInvalid(InvalidInput):
    """The rules text has errors; `errors` lists them (line, column, message, hint, text)."""

    def __init__(self, errors: list[dict]):
        n = len(errors)
        super().__init__(f"The rules have {n} error{'s' if n != 1 else ''}; nothing was saved. "
                         "Fix them (they are listed with their line) and save again.")
        self.errors = errors


# --- what exists in the firm --------------------------------------------------------------------

# Template kinds whose feature is not built yet: any name is accepted (there is nothing to check it
# against), and the action is skipped with a sentence until the feature arrives.
UNBUILT_TEMPLATE_KINDS = {"message", "organizer", "invoice"}


class FirmCatalog(rules.Catalog):
    """The firm's names; template kinds not built yet accept any name."""

    def template(self, kind: str, name: str):
        if kind in UNBUILT_TEMPLATE_KINDS:
            return name.strip() or None
        return super().template(kind, name)


def catalog_from_db(session: Session) -> rules.Catalog:
    """The names rules may use, read from the database (same shape as the CLI's CATALOG.json)."""
    stages: dict[str, list[str]] = {}
    for pname, sname in session.execute(select(Pipeline.name, Stage.name).join(Stage, Stage.pipeline_id == Pipeline.id)
                                        .order_by(Pipeline.name, Stage.position, Stage.id)):
        stages.setdefault(pname, []).append(sname)
    email_templates = list(session.execute(select(EmailTemplate.name).order_by(EmailTemplate.name)).scalars())
    folder_templates = list(session.execute(select(FolderTemplate.name).order_by(FolderTemplate.name)).scalars())
    proposal_templates = list(session.execute(select(ProposalTemplate.name).order_by(ProposalTemplate.name)).scalars())
    document_templates = list(session.execute(select(DocumentTemplate.name).order_by(DocumentTemplate.name)).scalars())
    return FirmCatalog.from_dict({
        "pipelines": stages,
        "templates": {"email": email_templates, "message": [], "organizer": [], "proposal": proposal_templates,
                      "invoice": [], "document": document_templates, "folder": folder_templates, "task": []},
        "tags": list(session.execute(select(Tag.name).order_by(Tag.name)).scalars()),
        "members": list(session.execute(select(TeamMember.name).where(TeamMember.active == True)  # noqa: E712
                                        .order_by(TeamMember.name)).scalars()),
    })


def _error_dict(err: rules.RulesError, text: str, filename: str = "rules.txt") -> dict:
    return {"line": err.line, "column": err.column, "message": err.message, "hint": err.hint or "",
            "formatted": rules.format_error(text, filename, err)}


def check_text(session: Session, text: str) -> list[dict]:
    """Every error in the text against the firm's names (empty when it may be saved)."""
    errors = rules.check_errors(text, catalog_from_db(session))
    return [_error_dict(e, text) for e in errors]


def unavailable(compiled: rules.CompiledRuleSet) -> list[str]:
    """Sentences for actions that are accepted but cannot run yet."""
    out = []
    for rule in compiled.rules:
        for action in rule.actions:
            kind = _action_kind(action)
            if kind in NOT_AVAILABLE:
                out.append(f'Rule "{rule.name}", line {action.ast.span.line}: {NOT_AVAILABLE[kind]} are not '
                           f"available yet, so \"{action.text.split(' ')[0]} {action.text.split(' ')[1]}\" will be "
                           "skipped and the run log will say so.")
    return out


def _action_kind(action) -> str:
    name = type(action.ast).__name__
    if name == "Send":
        return f"send_{action.ast.kind}"
    return {"RequestSignature": "request_signature", "RequestApproval": "request_approval",
            "ApplyFolderTemplate": "apply_folder_template"}.get(name, name)


# --- versions -----------------------------------------------------------------------------------


def current_ruleset(session: Session) -> RuleSet | None:
    return session.execute(select(RuleSet).order_by(RuleSet.id.desc()).limit(1)).scalars().first()


def versions(session: Session, actor: Actor, limit: int = 50) -> list[RuleSet]:
    require_admin(actor)
    return list(session.execute(select(RuleSet).order_by(RuleSet.id.desc()).limit(limit)).scalars())


def save_rules(session: Session, actor: Actor, text: str, note: str = "") -> tuple[RuleSet, list[str]]:
    """Save a new version of the rules (admins); refused with every error listed while any remain.
    Returns the version and sentences about actions that are not available yet."""
    require_admin(actor)
    if len(text) > 500_000:
        raise InvalidInput("The rules text is too long (over 500,000 characters).")
    catalog = catalog_from_db(session)
    try:
        checked = rules.check(text, catalog)
    except rules.RulesErrors as errs:
        raise RulesInvalid([_error_dict(e, text) for e in errs.errors]) from None
    except rules.RulesError as err:
        raise RulesInvalid([_error_dict(err, text)]) from None
    compiled = rules.compile_rules(checked, tz=get_firm(session).timezone)
    previous = current_ruleset(session)
    if previous and previous.text == text:
        return previous, unavailable(compiled)
    version = RuleSet(text=text, author_id=actor.member_id, author_label=actor.name, note=note.strip()[:200])
    session.info.pop("practice_compiled", None)  # this transaction now runs the new version
    session.add(version)
    session.flush()
    _anchor_schedules(session, compiled)
    audit.record(session, actor, "save", "rules", version.id, f"Saved rules version {version.id}",
                 rules=len(compiled.rules))
    return version, unavailable(compiled)


def restore_version(session: Session, actor: Actor, version_id: int) -> tuple[RuleSet, list[str]]:
    """Save an earlier version's text as the newest version (checked like any save)."""
    old = session.get(RuleSet, version_id)
    if old is None:
        raise NotFound("That version of the rules does not exist.")
    return save_rules(session, actor, old.text, note=f"restored version {version_id}")


def _anchor_schedules(session: Session, compiled: rules.CompiledRuleSet) -> None:
    # A schedule starts counting from when its rule was first saved; later saves keep that anchor.
    now = utcnow()
    for rule in compiled.rules:
        if rule.schedule is not None and session.get(ScheduleState, rule.name) is None:
            session.add(ScheduleState(rule_name=rule.name, anchor_at=now))


# --- compiled rules, once per version -----------------------------------------------------------

_compiled: dict[tuple, tuple] = {}


# Everything the compiled rules depend on, read in one statement: the newest version, the firm's time
# zone and the names rules may use (with the ids of tags and members, which actions look up). The
# same answer means the same compiled rules, so a process compiles and checks once per change
# instead of rebuilding the catalog on every transaction. SQLite only (the default setup); other
# databases take the full path every transaction.
_TOKEN_SQL = text("""
SELECT (SELECT id || '|' || created_at FROM ruleset ORDER BY id DESC LIMIT 1),
       (SELECT timezone FROM firm ORDER BY id LIMIT 1),
       (SELECT group_concat(x, char(30)) FROM (
            SELECT p.name || char(31) || s.name || char(31) || s.position || char(31) || s.id AS x
            FROM stage s JOIN pipeline p ON p.id = s.pipeline_id ORDER BY p.name, s.position, s.id)),
       (SELECT group_concat(x, char(30)) FROM (SELECT id || char(31) || name AS x FROM tag ORDER BY id)),
       (SELECT group_concat(x, char(30)) FROM (
            SELECT id || char(31) || name AS x FROM teammember WHERE active ORDER BY id)),
       (SELECT group_concat(name, char(30)) FROM (SELECT name FROM emailtemplate ORDER BY name)),
       (SELECT group_concat(name, char(30)) FROM (SELECT name FROM proposaltemplate ORDER BY name)),
       (SELECT group_concat(name, char(30)) FROM (SELECT name FROM documenttemplate ORDER BY name))
""")
_by_token: dict[tuple, tuple] = {}


def _token(session: Session) -> tuple | None:
    if session.get_bind().dialect.name != "sqlite":
        return None
    return tuple(session.execute(_TOKEN_SQL).one())


def compiled_rules(session: Session) -> tuple[RuleSet | None, rules.CompiledRuleSet | None, str]:
    """The newest version compiled against today's names; (version, compiled, problem sentence).
    Looked up once per transaction: a batch of events shares it (no action renames anything)."""
    cached = session.info.get("practice_compiled")
    if cached is not None and session.in_transaction():
        return cached
    token = _token(session)
    session.info["practice_token"] = token
    if token is not None and token[0] is None:
        found = (None, None, "")  # no rules saved
    elif token is not None and token[1] is not None and token in _by_token:
        found = _by_token[token]
    else:
        found = _compiled_rules(session)
        if token is not None and token[1] is not None:
            version = found[0]
            # A detached copy: the cache outlives the session that read it.
            found = (RuleSet(id=version.id, text=version.text, created_at=version.created_at), *found[1:])
            if len(_by_token) > 32:
                _by_token.clear()
            _by_token[token] = found
    session.info["practice_compiled"] = found
    return found


def _ascii_lower(name: str) -> str:
    # SQLite's lower() folds ASCII letters only; `_tag` compares with it.
    return name.translate(_ASCII_FOLD)


_ASCII_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_names: dict[tuple, tuple] = {}


def cached_names(session: Session) -> tuple[dict, dict] | None:
    """(active members, tags) by the key `_member` and `_tag` match on → (id, name), read from this
    transaction's rules token (`compiled_rules` first); None without one (not SQLite)."""
    token = session.info.get("practice_token")
    if token is None:
        return None
    hit = _names.get(token[3:5])
    if hit is None:
        def parse(joined, key):
            out: dict[str, tuple[int, str]] = {}
            for item in joined.split("\x1e") if joined else []:
                item_id, name = item.split("\x1f", 1)
                out.setdefault(key(name), (int(item_id), name))
            return out
        try:
            hit = (parse(token[4], lambda n: n.strip().lower()), parse(token[3], _ascii_lower))
        except ValueError:  # a name holding the separators: let the per-event path look names up
            return None
        if len(_names) > 32:
            _names.clear()
        _names[token[3:5]] = hit
    return hit


def _compiled_rules(session: Session) -> tuple[RuleSet | None, rules.CompiledRuleSet | None, str]:
    version = current_ruleset(session)
    if version is None:
        return None, None, ""
    catalog = catalog_from_db(session)
    tz = get_firm(session).timezone
    fingerprint = hashlib.sha256(json.dumps(catalog.to_dict(), sort_keys=True).encode()).hexdigest()
    # Keyed by the text itself, not only the version id: two databases (tests, firms) can share ids.
    key = (hashlib.sha256(version.text.encode()).hexdigest(), fingerprint, tz)
    hit = _compiled.get(key)
    if hit is None:
        try:
            hit = (rules.compile_rules(rules.check(version.text, catalog), tz=tz), "")
        except rules.RulesErrors as errs:
            first = errs.errors[0]
            hit = (None, f"The saved rules no longer match the firm's names (line {first.line}: {first.message}). "
                         "Open the rules editor, fix them and save.")
        except rules.RulesError as err:
            hit = (None, f"The saved rules cannot be used: {err.message}.")
        if len(_compiled) > 32:
            _compiled.clear()
        _compiled[key] = hit
    return version, hit[0], hit[1]


# --- events → rule triggers ----------------------------------------------------------------------


def rule_events(ev: Event) -> list[rules.Event]:
    """The rule triggers one recorded event stands for (a move is a leave and an enter)."""
    p = ev.payload or {}
    if ev.kind == "job_moved":
        return [rules.Event("job_left_stage", stage=p.get("from_stage"), pipeline=p.get("pipeline"), id=ev.id),
                rules.Event("job_entered_stage", stage=p.get("to_stage"), pipeline=p.get("pipeline"), id=ev.id)]
    if ev.kind == "job_created":
        return [rules.Event("job_created", pipeline=p.get("pipeline"), id=ev.id),
                rules.Event("job_entered_stage", stage=p.get("stage"), pipeline=p.get("pipeline"), id=ev.id)]
    if ev.kind in ("tag_added", "tag_removed"):
        return [rules.Event(ev.kind, tag=p.get("tag"), target=p.get("on"), id=ev.id)]
    if ev.kind in rules.EVENT_NAMES and ev.kind != "schedule":
        return [rules.Event(ev.kind, id=ev.id)]
    return []


def _event_from_dict(d: dict) -> rules.Event:
    return rules.Event(d["kind"], stage=d.get("stage"), pipeline=d.get("pipeline"), tag=d.get("tag"),
                       target=d.get("target"), rule=d.get("rule"), id=d.get("id"))


def _event_to_dict(e: rules.Event) -> dict:
    return {"kind": e.kind, "stage": e.stage, "pipeline": e.pipeline, "tag": e.tag, "target": e.target,
            "rule": e.rule, "id": e.id}


# --- running --------------------------------------------------------------------------------------


@dataclass
class Target:
    """What a run acts on."""

    job_id: int | None = None
    account_id: int | None = None
    contact_id: int | None = None


def _show(value) -> str:
    if value is None:
        return "empty"
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, (dt.date, dt.timedelta)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(_show(v) for v in value) or "none"
    return str(value)


def _parts(decision: rules.RuleDecision) -> list[dict]:
    return [{"clause": p.clause, "text": p.text, "values": {k: _show(v) for k, v in p.values.items()},
             "result": bool(p.result)} for p in decision.parts]


def _planned(pa: rules.PlannedAction) -> dict:
    return {"index": pa.index, "action": pa.action, "text": pa.text,
            "args": {k: _show(v) if not isinstance(v, (str, int, float, bool, type(None))) else v
                     for k, v in pa.args.items() if k != "reminders"},
            "outcome": "", "status": "planned"}


def handle_event(session: Session, ev: Event) -> None:
    """Run the firm's rules for one event (inside the worker's transaction)."""
    triggers = rule_events(ev)
    if not triggers:
        return
    version, compiled, problem = compiled_rules(session)
    if compiled is None:
        if problem:
            session.add(RuleRun(event_id=ev.id, rule_name="(rules)", trigger=ev.kind, job_id=ev.job_id,
                                account_id=ev.account_id, status=RunStatus.failed, reason=problem,
                                ruleset_id=version.id if version else None, finished_at=utcnow()))
        return
    depth = int((ev.payload or {}).get("depth") or 0)
    target = Target(ev.job_id, ev.account_id, (ev.payload or {}).get("contact_id"))
    facts = facts_for(session, job_id=target.job_id, account_id=target.account_id, contact_id=target.contact_id,
                      document_id=(ev.payload or {}).get("document_id"),
                      proposal_id=(ev.payload or {}).get("proposal_id"))
    now = utcnow()
    for trigger in triggers:
        for decision in rules.evaluate(compiled, trigger, facts, now):
            _run_decision(session, compiled, version, decision, trigger, target, facts, now, depth, event_id=ev.id)


def _handle_many(session: Session, evs: list[Event], slow) -> int:
    from practice.services.automation.automation_bulk import handle_many  # noqa: PLC0415 - it imports this module

    return handle_many(session, evs, slow)


# The worker hands its batches to the bulk path (practice/services/automation/automation_bulk.py), which sends
# anything it does not write itself back through `handle_event`, one event at a time.
handle_event.batch = _handle_many


def _existing_run(session: Session, event_id: int | None, schedule_key: str | None, rule: str) -> RuleRun | None:
    stmt = select(RuleRun).where(RuleRun.rule_name == rule)
    stmt = stmt.where(RuleRun.event_id == event_id) if event_id is not None else stmt.where(
        RuleRun.schedule_key == schedule_key)
    return session.execute(stmt).scalars().first()


def _run_decision(session: Session, compiled, version, decision: rules.RuleDecision, trigger: rules.Event,
                  target: Target, facts: dict, now: dt.datetime, depth: int, *, event_id: int | None = None,
                  schedule_key: str | None = None) -> RuleRun:
    run = _existing_run(session, event_id, schedule_key, decision.rule)
    # A run and its actions' effects commit together, so without an earlier run no effect of this
    # one can exist yet: its actions skip the look-up of their keys.
    fresh = run is None
    if run is None:
        run = RuleRun(event_id=event_id, schedule_key=schedule_key, rule_name=decision.rule,
                      ruleset_id=version.id if version else None, trigger=trigger.kind.replace("_", " "),
                      job_id=target.job_id, account_id=target.account_id, depth=depth)
        session.add(run)
    run.conditions = _parts(decision)
    if not decision.fired:
        run.status = RunStatus.skipped if decision.reason and "did not run" in decision.reason else RunStatus.not_fired
        run.reason = decision.reason or ""
        run.finished_at = now
        session.flush()
        return run
    if depth >= CHAIN_LIMIT:
        run.status = RunStatus.failed
        run.reason = (f"Stopped: this event comes from a chain of more than {CHAIN_LIMIT} rules firing one another. "
                      "Check the rules for a loop (for example two rules moving a job back and forth).")
        run.finished_at = now
        session.flush()
        return run
    session.flush()
    planned = [_planned(pa) for pa in decision.actions]
    run.status, run.reason = RunStatus.done, ""
    base = f"{decision.rule}|{event_id if event_id is not None else schedule_key}|{target.job_id or target.account_id or target.contact_id or ''}"
    for pa, entry in zip(decision.actions, planned):
        key = f"{base}|{pa.index}"
        if pa.action in NOT_AVAILABLE:
            entry["status"], entry["outcome"] = "skipped", f"Not available yet: {NOT_AVAILABLE[pa.action]} are not built."
            continue
        if pa.run_at is not None:
            _schedule_delayed(session, key, pa, decision, trigger, target, run, depth)
            entry["status"], entry["outcome"] = "waiting", f"Will run at {_show(pa.run_at)} if the conditions still hold."
            run.status = RunStatus.waiting
            continue
        ok = _apply_once(session, key, pa, target, facts, run, depth, entry, now, fresh=fresh)
        if not ok:
            run.status = RunStatus.failed
            run.reason = entry["outcome"]
            break
    if decision.error and run.status != RunStatus.failed:
        run.status = RunStatus.failed
        run.reason = f"Could not plan an action: {decision.error}."
        planned.append({"index": len(planned), "action": "", "text": decision.error, "args": {},
                        "status": "failed", "outcome": decision.error})
    run.actions = planned
    run.finished_at = utcnow()
    return run


def _apply_once(session: Session, key: str, pa: rules.PlannedAction, target: Target, facts: dict, run: RuleRun,
                depth: int, entry: dict, now: dt.datetime, *, fresh: bool = False) -> bool:
    """Apply an action unless its key shows it already happened; each in its own savepoint."""
    done = None if fresh else session.execute(select(ActionEffect).where(ActionEffect.key == key)).scalars().first()
    if done is not None:
        entry["status"], entry["outcome"] = "done", f"{done.outcome} (already done before)"
        return True
    session.info["practice_depth"] = depth + 1
    try:
        with session.begin_nested():
            outcome = _apply(session, pa, target, facts, run, key, now)
            session.add(ActionEffect(key=key, run_id=run.id, outcome=outcome))
    except (PracticeError, rules.RulesError) as err:
        entry["status"], entry["outcome"] = "failed", getattr(err, "message", None) or str(err)
        return False
    finally:
        session.info.pop("practice_depth", None)
    entry["status"], entry["outcome"] = "done", outcome
    return True


def _member(session: Session, name: str) -> TeamMember:
    target = (name or "").strip().lower()
    cache = session.info.setdefault("practice_members", {})  # per transaction, like the rules
    if target in cache:
        return cache[target]
    for m in session.execute(select(TeamMember).where(TeamMember.active == True)).scalars():  # noqa: E712
        if m.name.strip().lower() == target:
            cache[target] = m
            return m
    raise NotFound(f'There is no active team member "{name}".')


def _tag(session: Session, name: str) -> Tag:
    target = name.strip().lower()
    cache = session.info.setdefault("practice_tags", {})
    if target in cache:
        return cache[target]
    tag = session.execute(select(Tag).where(func.lower(Tag.name) == target)).scalars().first()
    if tag is None:
        raise NotFound(f'There is no tag "{name}" any more.')
    cache[target] = tag
    return tag


def _due_date(value) -> dt.date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, dt.datetime) else value


def _robot(rule: str) -> Actor:
    return Actor(member_id=None, name=f'Automation "{rule}"', role="owner")


def _apply(session: Session, pa: rules.PlannedAction, target: Target, facts: dict, run: RuleRun, key: str,
           now: dt.datetime) -> str:
    from practice.services.work import jobs, tasks  # noqa: PLC0415 - jobs imports events, which imports us lazily

    actor = _robot(run.rule_name)
    a = pa.args
    if pa.action in ("create_task", "move_job", "assign_job", "archive_job") and not target.job_id:
        raise InvalidInput("This action needs a job, and the rule has none.")
    if pa.action == "send_email":
        return _send_email(session, a, target, facts, run, key, now)
    if pa.action == "create_task":
        assignee = _member(session, a["assignee"]).id if a.get("assignee") else None
        task = tasks.create_task(session, actor, title=a["title"], job_id=target.job_id, assignee_id=assignee,
                                 due_date=_due_date(a.get("due")))
        return f'Created task "{task.title}"' + (f' for {a["assignee"]}' if a.get("assignee") else "")
    if pa.action == "create_job":
        if not target.account_id:
            raise InvalidInput("Creating a job needs an account, and the rule has none.")
        pipeline = session.execute(select(Pipeline).where(func.lower(Pipeline.name) == a["pipeline"].lower())).scalars().first()
        if pipeline is None:
            raise NotFound(f'There is no pipeline "{a["pipeline"]}" any more.')
        job = jobs.create_job(session, actor, account_id=target.account_id, pipeline_id=pipeline.id, name=a["name"],
                              due_date=_due_date(a.get("due")))
        return f'Created job "{job.name}" in {pipeline.name}'
    if pa.action in ("add_tags", "remove_tags"):
        present = pa.action == "add_tags"
        names = []
        for name in a["tags"]:
            tag = _tag(session, name)
            if a["target"] == "account":
                if not target.account_id:
                    raise InvalidInput("There is no account to tag.")
                set_account_tag(session, actor, target.account_id, tag.id, present)
            elif a["target"] == "job":
                if not target.job_id:
                    raise InvalidInput("There is no job to tag.")
                jobs.set_job_tag(session, actor, target.job_id, tag.id, present)
            else:
                if not target.contact_id:
                    raise InvalidInput("There is no contact to tag.")
                set_contact_tag(session, actor, target.contact_id, tag.id, present)
            names.append(tag.name)
        quoted = ", ".join(f'"{n}"' for n in names)
        return f"{'Added' if present else 'Removed'} tag {quoted} {'to' if present else 'from'} the {a['target']}"
    if pa.action == "move_job":
        job = session.get(Job, target.job_id)
        stage = session.execute(select(Stage).where(Stage.pipeline_id == job.pipeline_id,
                                                    func.lower(Stage.name) == a["stage"].lower())).scalars().first()
        if stage is None:
            raise NotFound(f'The job\'s pipeline has no stage "{a["stage"]}".')
        if job.archived:
            raise InvalidInput("The job is archived, so it was not moved.")
        jobs.move_job(session, actor, job.id, stage.id)
        return f'Moved the job to "{stage.name}"'
    if pa.action == "assign_job":
        member = _member(session, a["assignee"])
        jobs.assign_job(session, actor, target.job_id, [member.id])
        return f"Assigned the job to {member.name}"
    if pa.action == "archive_job":
        jobs.archive_job(session, actor, target.job_id)
        return "Archived the job"
    if pa.action == "apply_folder_template":
        from practice.services.documents import documents  # noqa: PLC0415

        if not target.account_id:
            raise InvalidInput("Applying a folder template needs an account, and the rule has none.")
        template = documents.template_by_name(session, a["template"])
        if template is None:
            raise NotFound(f'There is no folder template "{a["template"]}" any more.')
        created = documents.apply_folder_template(session, actor, target.account_id, template.id)
        return f'Applied folder template "{template.name}" ({created} new folder{"s" if created != 1 else ""})'
    if pa.action == "request_approval":
        return _request_approval(session, actor, a, target, key)
    if pa.action == "send_proposal":
        return _send_proposal(session, actor, a, target, key)
    if pa.action == "request_signature":
        return _request_signature(session, actor, a, target, key)
    if pa.action == "notify":
        member = _member(session, a["member"])
        from practice import routes  # noqa: PLC0415

        link = routes.job_url(target.job_id) if target.job_id else (
            routes.account_url(target.account_id) if target.account_id else "")
        inbox.notify(session, member_id=member.id, text=a["text"], link=link, key=key)
        return f"Notified {member.name}"
    raise InvalidInput(f"The action {pa.action} is not known.")


def _account_of(session: Session, target: Target, refusal: str) -> int:
    """The account a client-facing action is for: the trigger's, or its job's; `refusal` when there is none."""
    account_id = target.account_id
    if not account_id and target.job_id:
        job = session.get(Job, target.job_id)
        account_id = job.account_id if job else None
    if not account_id:
        raise InvalidInput(refusal)
    return account_id


def _reminders(a: dict) -> tuple[dt.timedelta | None, int]:
    """`with reminders every N days [up to M times]` as (interval, times); (None, 0) without reminders."""
    from practice.services.portal import approvals  # noqa: PLC0415 - approvals imports services that import us

    if not a.get("reminders"):
        return None, 0
    return approvals.interval_of(a["reminders"]["every"]), int(a["reminders"].get("times") or 1)


def _request_approval(session: Session, actor: Actor, a: dict, target: Target, key: str) -> str:
    """`request approval of folder "NAME" from account [with reminders every N days up to M times]`."""
    from practice.services.portal import approvals  # noqa: PLC0415 - approvals imports services that import us

    account_id = _account_of(session, target, "Asking for an approval needs an account, and the rule has none.")
    every, times = _reminders(a)
    made = approvals.request_folder_approval(session, actor, account_id, a["folder"], job_id=target.job_id,
                                             remind_every=every, remind_times=times, key=key)
    n = len(made)
    text = f'Asked the client to approve {n} document{"s" if n != 1 else ""} in "{a["folder"]}"'
    return text + (f", with up to {times} reminder{'s' if times != 1 else ''}" if times else "")


def _send_proposal(session: Session, actor: Actor, a: dict, target: Target, key: str) -> str:
    """`send proposal "TEMPLATE" to account [with reminders every N days up to M times]`."""
    from practice.services.proposals import proposals  # noqa: PLC0415 - they import services that import us

    account_id = _account_of(session, target, "Sending a proposal needs an account, and the rule has none.")
    if proposals.template_by_name(session, a["template"]) is None:
        raise NotFound(f'There is no proposal template "{a["template"]}" any more.')
    every, times = _reminders(a)
    proposal = proposals.send_proposal(session, actor, account_id, a["template"], job_id=target.job_id, key=key,
                                       remind_every=every, remind_times=times)
    text = f'Sent proposal "{proposal.name}" ({proposals.money(proposal.total_cents)})'
    return text + (f", with up to {times} reminder{'s' if times != 1 else ''}" if times else "")


def _request_signature(session: Session, actor: Actor, a: dict, target: Target, key: str) -> str:
    """`request signature on "TEMPLATE" from account [with reminders every N days up to M times]`: the
    template becomes a document of the account, sent to its portal contacts to sign in order."""
    from practice.services.signing import signatures  # noqa: PLC0415 - they import services that import us

    account_id = _account_of(session, target, "Asking for a signature needs an account, and the rule has none.")
    every, times = _reminders(a)
    req = signatures.request_from_template(session, actor, account_id, a["template"], job_id=target.job_id,
                                           remind_every=every, remind_times=times, key=key)
    names = ", ".join(s.name for s in session.execute(select(Signer).where(Signer.request_id == req.id)
                                                     .order_by(Signer.position)).scalars())
    text = f'Asked {names} to sign "{req.title}"'
    return text + (f", with up to {times} reminder{'s' if times != 1 else ''}" if times else "")


def _send_email(session: Session, a: dict, target: Target, facts: dict, run: RuleRun, key: str,
                now: dt.datetime) -> str:
    tpl = mail_templates.template_by_name(session, a["template"])
    if tpl is None:
        raise NotFound(f'There is no email template "{a["template"]}" any more.')
    to = a.get("to")
    recipients: list[tuple[str, dict | None]] = []
    if to == "account":
        if not target.account_id:
            raise InvalidInput("There is no account to email.")
        recipients = [(c["email"], c) for c in account_recipients(session, target.account_id)]
        if not recipients:
            raise InvalidInput("The account has no contact with an email address, so nothing was sent.")
    elif to == "contact":
        contact = facts.get("contact")
        if not contact or not contact.get("email"):
            raise InvalidInput("The contact has no email address, so nothing was sent.")
        recipients = [(contact["email"], contact)]
    elif to == "member":
        recipients = [(_member(session, a["member"]).email, None)]
    elif to == "address":
        recipients = [(a["email"], None)]
    for address, contact in recipients:
        context = template_context(session, dict(facts, contact=contact or facts.get("contact")), now)
        subject, body = mail_templates.render_template(tpl, context)
        outbox.enqueue(session, to_address=address, subject=subject, body=body, key=f"{key}|{address.lower()}",
                     account_id=target.account_id, job_id=target.job_id, run_id=run.id)
    session.info["practice_mail"] = True
    return f'Queued email "{tpl.name}" to ' + ", ".join(addr for addr, _ in recipients)


# --- delayed actions ------------------------------------------------------------------------------


def _schedule_delayed(session: Session, key: str, pa: rules.PlannedAction, decision, trigger: rules.Event,
                      target: Target, run: RuleRun, depth: int) -> None:
    if session.execute(select(Due.id).where(Due.key == key)).first():
        return
    session.add(Due(kind="delayed_action", key=key, due_at=pa.run_at, run_id=run.id, job_id=target.job_id,
                    payload={"rule": decision.rule, "action_index": pa.index, "event": _event_to_dict(trigger),
                             "job_id": target.job_id, "account_id": target.account_id,
                             "contact_id": target.contact_id, "depth": depth}))


def run_due_actions(session: Session, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Run delayed actions that came due: their rule's conditions are checked again first."""
    now = now or utcnow()
    due = list(session.execute(select(Due).where(Due.status == "pending", Due.kind == "delayed_action",
                                                 Due.due_at <= now).order_by(Due.due_at, Due.id).limit(limit)).scalars())
    if not due:
        return 0
    version, compiled, problem = compiled_rules(session)
    for item in due:
        p = item.payload
        run = session.get(RuleRun, item.run_id) if item.run_id else None
        item.status = "done"
        if compiled is None or run is None:
            item.status = "dropped"
            continue
        target = Target(p.get("job_id"), p.get("account_id"), p.get("contact_id"))
        facts = facts_for(session, job_id=target.job_id, account_id=target.account_id, contact_id=target.contact_id)
        actions = [dict(a) for a in run.actions]
        entry = next((a for a in actions if a.get("index") == p["action_index"]), None)
        if entry is None:
            entry = {"index": p["action_index"], "action": "", "text": "", "args": {}}
            actions.append(entry)
        job_gone = target.job_id and (facts.get("job") is None or facts["job"].get("archived"))
        if job_gone:
            item.status = "dropped"
            entry["status"], entry["outcome"] = "dropped", "Dropped: the job was archived or deleted before it came due."
        else:
            try:
                decision = rules.run_delayed(compiled, p["rule"], p["action_index"], _event_from_dict(p["event"]),
                                             facts, now)
            except (rules.RulesError, KeyError):
                decision = None
            if decision is None or not decision.fired or not decision.actions:
                item.status = "dropped"
                why = decision.reason if decision is not None else "the rule was changed or removed"
                entry["status"], entry["outcome"] = "dropped", f"Dropped: {why}."
            else:
                ok = _apply_once(session, item.key, decision.actions[0], target, facts, run, int(p.get("depth") or 0),
                                 entry, now)
                if not ok:
                    run.status, run.reason = RunStatus.failed, entry["outcome"]
        run.actions = actions
        if run.status == RunStatus.waiting and not session.execute(select(Due.id).where(
                Due.run_id == run.id, Due.status == "pending", Due.id != item.id)).first():
            run.status = RunStatus.done
        run.finished_at = utcnow()
    return len(due)


# --- retry from the log ---------------------------------------------------------------------------


def retry_run(session: Session, actor: Actor, run_id: int) -> RuleRun:
    """Run a failed rule run again: actions already done are not repeated (their keys say so)."""
    require_admin(actor)
    run = session.get(RuleRun, run_id)
    if run is None:
        raise NotFound("That automation run does not exist.")
    if run.status != RunStatus.failed:
        raise InvalidInput("Only a failed run can be retried.")
    version, compiled, problem = compiled_rules(session)
    if compiled is None:
        raise InvalidInput(problem or "There are no saved rules.")
    now = utcnow()
    audit.record(session, actor, "retry", "rule_run", run.id, f'Retried automation "{run.rule_name}"')
    if run.event_id is not None:
        ev = session.get(Event, run.event_id)
        target = Target(ev.job_id, ev.account_id, (ev.payload or {}).get("contact_id"))
        facts = facts_for(session, job_id=target.job_id, account_id=target.account_id, contact_id=target.contact_id,
                          document_id=(ev.payload or {}).get("document_id"),
                          proposal_id=(ev.payload or {}).get("proposal_id"))
        for trigger in rule_events(ev):
            for decision in rules.evaluate(compiled, trigger, facts, now):
                if decision.rule == run.rule_name:
                    return _run_decision(session, compiled, version, decision, trigger, target, facts, now,
                                         run.depth, event_id=ev.id)
        raise InvalidInput(f'The rule "{run.rule_name}" no longer starts on this event, so there is nothing to retry.')
    raise InvalidInput("Scheduled runs are retried by the schedule itself.")


# --- what the job page shows ------------------------------------------------------------------


def runs_for_job(session: Session, actor: Actor, job_id: int, limit: int = 100) -> list[RuleRun]:
    """The job's automation history, newest first (who may see the job may see why)."""
    from practice.services.work.jobs import get_job  # noqa: PLC0415

    get_job(session, actor, job_id)
    return list(session.execute(select(RuleRun).where(RuleRun.job_id == job_id)
                                .order_by(RuleRun.id.desc()).limit(limit)).scalars())


def recent_runs(session: Session, actor: Actor, *, status: str | None = None, limit: int = 100) -> list[RuleRun]:
    require_admin(actor)
    stmt = select(RuleRun).order_by(RuleRun.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(RuleRun.status == status)
    return list(session.execute(stmt).scalars())


# --- try on a job -----------------------------------------------------------------------------------

TRY_EVENTS = {
    "job_entered_stage": "enters its current stage", "job_left_stage": "leaves its current stage",
    "job_created": "is created", "tag_added": "gets a tag", "tag_removed": "loses a tag",
}


def try_on_job(session: Session, actor: Actor, text: str, job_id: int, event_kind: str, tag: str = "",
               stage: str = "") -> dict:
    """Dry run of a rules text (saved or not) on a real job: which rules would fire, the values each
    condition read, and the actions with rendered emails. Changes nothing."""
    from practice.services.work.jobs import get_job  # noqa: PLC0415

    require_admin(actor)
    job = get_job(session, actor, job_id)
    errors = check_text(session, text)
    if errors:
        return {"errors": errors, "decisions": []}
    catalog = catalog_from_db(session)
    compiled = rules.compile_rules(rules.check(text, catalog), tz=get_firm(session).timezone)
    facts = facts_for(session, job_id=job.id)
    pipeline, current = facts["job"]["pipeline"], facts["job"]["stage"]
    if event_kind not in TRY_EVENTS:
        raise InvalidInput("Choose what happens to the job.")
    if event_kind in ("tag_added", "tag_removed"):
        event = rules.Event(event_kind, tag=tag or None, target="job")
    elif event_kind == "job_created":
        event = rules.Event("job_created", pipeline=pipeline)
    else:
        event = rules.Event(event_kind, stage=stage or current, pipeline=pipeline)
    now = utcnow()
    out = []
    for d in rules.dry_run(compiled, event, facts, now):
        actions = []
        for pa in d.actions:
            item = _planned(pa)
            if pa.action in NOT_AVAILABLE:
                item["outcome"] = f"Would be skipped: {NOT_AVAILABLE[pa.action]} are not built yet."
            elif pa.action == "send_email":
                item["outcome"] = _preview_email(session, pa.args, facts, now)
            elif pa.action == "send_proposal":
                item["outcome"] = _preview_proposal(session, pa.args, facts)
            elif pa.run_at is not None:
                item["outcome"] = f"Would wait until {_show(pa.run_at)}, then check the conditions again."
            actions.append(item)
        out.append({"rule": d.rule, "fired": d.fired, "reason": d.reason or "", "error": d.error or "",
                    "parts": _parts(d), "actions": actions})
    return {"errors": [], "decisions": out, "event": TRY_EVENTS[event_kind]}


def _preview_proposal(session: Session, args: dict, facts: dict) -> str:
    from practice.services.proposals import proposals  # noqa: PLC0415

    template = proposals.template_by_name(session, args["template"])
    if template is None:
        return f'Would fail: there is no proposal template "{args["template"]}".'
    account = facts.get("account") or {}
    contacts = proposals.portal_recipients(session, account["id"]) if account.get("id") else []
    if not contacts:
        return "Would fail: no contact of the account can log in to the client portal."
    return (f'Would send proposal "{template.name}" to ' + ", ".join(c.email for c in contacts)
            + " (a link to the client portal)")


def _preview_email(session: Session, args: dict, facts: dict, now: dt.datetime) -> str:
    tpl = mail_templates.template_by_name(session, args["template"])
    if tpl is None:
        return f'No email template "{args["template"]}".'
    to = args.get("to")
    if to == "account" and facts.get("account"):
        contacts = account_recipients(session, facts["account"]["id"])
        if not contacts:
            return "Would fail: the account has no contact with an email address."
        contact, addresses = contacts[0], ", ".join(c["email"] for c in contacts)
    else:
        contact = facts.get("contact")
        addresses = args.get("email") or args.get("member") or (contact or {}).get("email", "")
    try:
        subject, body = mail_templates.render_template(tpl, template_context(session, dict(facts, contact=contact), now))
    except InvalidInput as err:
        return f"Would fail: {err}"
    return f"To: {addresses}\nSubject: {subject}\n\n{body}"


# --- schedules --------------------------------------------------------------------------------------


def run_schedules(session: Session, now: dt.datetime | None = None) -> int:
    """Run every schedule rule that came due (a missed run is caught up once, never twice)."""
    now = now or utcnow()
    version, compiled, problem = compiled_rules(session)
    if compiled is None:
        return 0
    ran = 0
    for rule in compiled.rules:
        if rule.schedule is None:
            continue
        state = session.get(ScheduleState, rule.name)
        if state is None:
            state = ScheduleState(rule_name=rule.name, anchor_at=now)
            session.add(state)
            session.flush()
            continue
        moment = rules.due_run(rule.schedule, state.last_run_at, now, compiled.tz, state.anchor_at)
        if moment is None:
            continue
        state.last_run_at = moment
        _run_schedule(session, compiled, version, rule, moment, now)
        ran += 1
    return ran


def _records(session: Session, entity: str) -> list[dict]:
    from practice.services.facts import bulk_facts  # noqa: PLC0415

    return bulk_facts(session, entity)


def _run_schedule(session: Session, compiled, version, rule, moment: dt.datetime, now: dt.datetime) -> None:
    key = f"{moment.isoformat()}"
    trigger = rules.Event("schedule", rule=rule.name)
    if rule.for_each is None:
        for decision in rules.evaluate(compiled, trigger, {}, now):
            if decision.rule == rule.name:
                _run_decision(session, compiled, version, decision, trigger, Target(), {}, now, 0,
                              schedule_key=key)
        return
    from practice.services.automation.schedule_bulk import run_for_each  # noqa: PLC0415

    run_for_each(session, compiled, version, rule, trigger, _records(session, rule.for_each), key, now)
