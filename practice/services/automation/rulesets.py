"""The firm's rules text: the names it may use, checking, and every saved version (save, restore)."""
from __future__ import annotations

import dataclasses
import difflib

from sqlalchemy import select
from sqlmodel import Session

import rules
from practice import i18n
from practice.models import (DocumentTemplate, EmailTemplate, FolderTemplate, Pipeline, ProposalTemplate, RuleSet,
                             ScheduleState, Stage, Tag, TeamMember, utcnow)
from practice.services import audit
from practice.services.actor import Actor, require_admin
from practice.sandbox import SandboxError
from practice.services.automation import rules_check
from practice.services.automation.actions import NOT_AVAILABLE
from practice.services.chats import templates as message_templates
from practice.services.errors import InvalidInput, NotFound, PracticeError
from practice.services.webhooks import from_rules as rule_webhooks
from practice.services.firm import get_firm
from practice.services.client_requests import sending as client_requests
from practice.services.billing import templates as invoice_templates
from practice.services.organizers import templates as organizer_templates
from practice.services.work.custom_fields import catalog_fields
from practice.warm_sandbox import run_warm
from practice.i18n import N_, _


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
# The limited child that checks a text as it is typed (a valid 1 MB text takes under 2 s of CPU).
CHECK_SECONDS = 10.0
CHECK_CPU_SECONDS = 6
CHECK_MEMORY = 768 * 1024 * 1024
# Message templates have no editor page yet: a saved rule naming one must keep the firm's other rules running, so any
# name is accepted and a missing template fails only its own run, with a sentence.
UNBUILT_TEMPLATE_KINDS = {"message"}


class FirmCatalog(rules.Catalog):
    """The firm's names; template kinds not built yet accept any name."""

    def template(self, kind: str, name: str):
        if kind in UNBUILT_TEMPLATE_KINDS:
            return name.strip() or None
        return super().template(kind, name)


def catalog_from_db(session: Session, fields: dict | None = None) -> rules.Catalog:
    """The names rules may use, read from the database (same shape as the CLI's CATALOG.json); `fields` in place of
    the firm's custom fields (a change of a field's type, checked before it is made)."""
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
        "templates": {"email": email_templates, "message": message_templates.template_names(session),
                      "organizer": organizer_templates.template_names(session),
                      "proposal": proposal_templates,
                      "invoice": invoice_templates.template_names(session), "client request": client_requests.template_names(session),
                      "document": document_templates, "folder": folder_templates, "task": []},
        "tags": list(session.execute(select(Tag.name).order_by(Tag.name)).scalars()),
        "members": list(session.execute(select(TeamMember.name).where(TeamMember.active == True)  # noqa: E712
                                        .order_by(TeamMember.name)).scalars()),
        "fields": catalog_fields(session) if fields is None else fields,
    })


def check_text(session: Session, text: str) -> list[dict]:
    """The errors in the text against the firm's names (empty when it may be saved): the first hundred,
    then one line saying how many more there are. Checked in a limited child (the editor checks as people
    type): whatever a pasted text makes the checker do stops at CHECK_SECONDS, with a sentence."""
    payload = {"text": text, "catalog": catalog_from_db(session), "language": i18n.current_locale()}
    try:
        return run_warm(rules_check.check_here, payload, cpu_s=CHECK_CPU_SECONDS, memory_bytes=CHECK_MEMORY,
                        wall_s=CHECK_SECONDS)
    except SandboxError as err:
        raise InvalidInput(i18n._("The rules could not be checked: {reason}. Shorten the text or split it into "
                                  "smaller rules.").format(reason=err), field="text") from None


def _error_dicts(text: str, errors: list) -> list[dict]:
    return rules_check.error_dicts(text, errors)


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


def _webhook_addresses(session: Session, actor: Actor, text: str, compiled: rules.CompiledRuleSet) -> list[str]:
    """Each `send webhook "URL"` must go to an address the firm allows (rules/ checks only that it is a web
    address); its subscription, with the secret the receiver needs, is made now, before the first event. Returns a
    sentence for each address the rules send to for the first time (its receiver needs the secret)."""
    errors, new = [], []
    for rule in compiled.rules:
        for action in rule.actions:
            if type(action.ast).__name__ != "SendWebhook":
                continue
            try:
                with session.begin_nested():
                    sub = rule_webhooks.subscription_for(session, actor, action.ast.url.value)
            except PracticeError as refused:
                errors.append(rules.RuleMeaningError(str(refused), action.ast.url.span))
                continue
            if sub.id in session.info.get(rule_webhooks.MADE, ()) and sub.url not in new:
                new.append(sub.url)
    if errors:
        raise RulesInvalid(_error_dicts(text, errors))
    return [i18n._("The rules now send webhooks to {url}. Its receiver needs the signing secret: make it with "
                   "\"New secret\" on Settings → Webhooks.").format(url=url) for url in new]


def _action_kind(action) -> str:
    name = type(action.ast).__name__
    if name == "Send":
        return f"send_{action.ast.kind.replace(' ', '_')}"
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
    Returns the version and sentences about actions that are not available yet, and about addresses the rules now
    send webhooks to."""
    require_admin(actor)
    if len(text) > 500_000:
        raise InvalidInput(_("The rules text is too long (over 500,000 characters)."))
    catalog = catalog_from_db(session)
    try:
        compiled = rules.compile_rules(rules.check(text, catalog), tz=get_firm(session).timezone)
    except rules.RulesErrors as errs:
        raise RulesInvalid(_error_dicts(text, errs.errors)) from None
    except rules.RulesError as err:
        raise RulesInvalid(_error_dicts(text, [err])) from None
    told = _webhook_addresses(session, actor, text, compiled)
    previous = current_ruleset(session)
    if previous and previous.text == text:
        return previous, unavailable(compiled) + told
    version = RuleSet(text=text, author_id=actor.member_id, author_label=actor.name, note=note.strip()[:200])
    session.info.pop("practice_compiled", None)  # this transaction now runs the new version
    session.add(version)
    session.flush()
    _anchor_schedules(session, compiled)
    audit.record(session, actor, "save", "rules", version.id, f"Saved rules version {version.id}",
                 rules=len(compiled.rules))
    return version, unavailable(compiled) + told


@dataclasses.dataclass(frozen=True)
class SavedVersion:
    """What a save from the editor did: the newest version now, whether the text already was that version (so
    nothing new was saved), and sentences about actions that cannot run yet."""
    version: RuleSet
    unchanged: bool
    warnings: list[str]


def save_from_editor(session: Session, actor: Actor, text: str, note: str = "") -> SavedVersion:
    """Save the editor's text as a new version (like `save_rules`), saying whether it was the newest already."""
    before = current_ruleset(session)
    version, warnings = save_rules(session, actor, text, note)
    return SavedVersion(version, before is not None and before.id == version.id, warnings)


def restore_version(session: Session, actor: Actor, version_id: int) -> SavedVersion:
    """Save an earlier version's text as the newest version (checked like any save)."""
    old = session.get(RuleSet, version_id)
    if old is None:
        raise NotFound(_("That version of the rules does not exist."))
    return save_from_editor(session, actor, old.text, note=f"restored version {version_id}")


GONE = N_("That version does not exist any more.")


def version_with_previous(session: Session, actor: Actor, version_id: int) -> tuple[RuleSet, RuleSet | None]:
    """A saved version and the one saved before it (None when it is the first), to show what it changed."""
    require_admin(actor)
    chosen = session.get(RuleSet, version_id)
    if chosen is None:
        raise NotFound(_(GONE))
    before = session.execute(select(RuleSet).where(RuleSet.id < version_id).order_by(RuleSet.id.desc())
                             .limit(1)).scalars().first()
    return chosen, before


def version_with_newest(session: Session, actor: Actor, version_id: int) -> tuple[RuleSet, RuleSet | None]:
    """A saved version and the newest one (None when nothing is saved), to show what restoring it would change."""
    require_admin(actor)
    chosen = session.get(RuleSet, version_id)
    if chosen is None:
        raise NotFound(_(GONE))
    return chosen, current_ruleset(session)


def _anchor_schedules(session: Session, compiled: rules.CompiledRuleSet) -> None:
    # A schedule starts counting from when its rule was first saved; later saves keep that anchor.
    now = utcnow()
    for rule in compiled.rules:
        if rule.schedule is not None and session.get(ScheduleState, rule.name) is None:
            session.add(ScheduleState(rule_name=rule.name, anchor_at=now))


# --- comparing two versions ------------------------------------------------------------------------

MAX_DIFF_ROWS = 1_000


@dataclasses.dataclass
class DiffRow:
    """One row of a side-by-side comparison: a line of the old text beside the line of the new one.

    kind: "same", "changed" (both sides, different), "removed" (old side only), "added" (new side only),
    or "gap" (unchanged lines left out; `old` says how many)."""

    kind: str
    old_no: int | None = None
    old: str = ""
    new_no: int | None = None
    new: str = ""


def _gap(a: list[str], b: list[str], i: int, j: int, count: int) -> DiffRow:
    """The unchanged lines from a[i] (b[j]) on, as one row: the line itself when it is only one."""
    if count == 1:
        return DiffRow("same", i + 1, a[i], j + 1, b[j])
    return DiffRow("gap", old=f"{count} unchanged lines")


def side_by_side(old: str, new: str, *, context: int = 2, max_rows: int = MAX_DIFF_ROWS) -> list[DiffRow]:
    """The rows of a side-by-side comparison of two texts: each change with `context` unchanged lines around
    it, and a gap row for the unchanged lines between (no rows when the texts are the same)."""
    a, b = old.splitlines(), new.splitlines()
    rows: list[DiffRow] = []
    shown, shown_new = 0, 0  # old and new lines accounted for so far
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        if group[0][1] > shown:
            rows.append(_gap(a, b, shown, shown_new, group[0][1] - shown))
        for tag, i1, i2, j1, j2 in group:
            for k in range(max(i2 - i1, j2 - j1)):
                left, right = i1 + k < i2, j1 + k < j2
                kind = "same" if tag == "equal" else "changed" if left and right else "removed" if left else "added"
                rows.append(DiffRow(kind, i1 + k + 1 if left else None, a[i1 + k] if left else "",
                                    j1 + k + 1 if right else None, b[j1 + k] if right else ""))
        shown, shown_new = group[-1][2], group[-1][4]
    if rows and shown < len(a):
        rows.append(_gap(a, b, shown, shown_new, len(a) - shown))
    if len(rows) > max_rows:
        left_out = len(rows) - max_rows
        rows = rows[:max_rows] + [DiffRow("gap", old=f"… and {left_out} more rows, left out")]
    return rows
