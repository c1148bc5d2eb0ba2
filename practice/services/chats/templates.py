"""Message templates: what `send message "NAME" to account` posts, with placeholders, and where it goes."""
from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from practice import i18n
from practice.i18n import N_, _
from practice.models import ChatThread, MessageTemplate, utcnow
from practice.services import audit, templating
from practice.services.actor import Actor, require_admin
from practice.services.chats.scope import MAX_SUBJECT
from practice.services.errors import Conflict, InvalidInput, NotFound


def list_templates(session: Session) -> list[MessageTemplate]:
    return list(session.exec(select(MessageTemplate).order_by(func.lower(MessageTemplate.name))))


def template_names(session: Session) -> list[str]:
    return [t.name for t in list_templates(session)]


def template_by_name(session: Session, name: str) -> MessageTemplate | None:
    return session.exec(select(MessageTemplate).where(
        func.lower(MessageTemplate.name) == (name or "").strip().lower())).first()


def save_template(session: Session, actor: Actor, *, name: str, subject: str, body: str,
                  template_id: int | None = None, subject_fr: str = "", body_fr: str = "") -> MessageTemplate:
    """Create or change a message template (owners and admins)."""
    require_admin(actor)
    name, subject = " ".join((name or "").split()), " ".join((subject or "").split())[:MAX_SUBJECT]
    if not name:
        raise InvalidInput(_("Give the template a name."), field="name")
    if not subject:
        raise InvalidInput(_("Give the conversation a subject."), field="subject")
    if not (body or "").strip():
        raise InvalidInput(_("Write the message."), field="body")
    for text, what in ((subject, N_("subject")), (body, N_("message")), (subject_fr, N_("French subject")),
                       (body_fr, N_("French message"))):
        templating.check_template(text or "", what)
    other = template_by_name(session, name)
    if other is not None and other.id != template_id:
        raise Conflict(_('There is already a message template "{name}".').format(name=name))
    tpl = session.get(MessageTemplate, template_id) if template_id else MessageTemplate(name=name, subject=subject,
                                                                                       body=body)
    if tpl is None:
        raise NotFound(_("That template no longer exists."))
    tpl.name, tpl.subject, tpl.body, tpl.updated_at = name, subject, body, utcnow()
    tpl.subject_fr, tpl.body_fr = (subject_fr or "").strip(), (body_fr or "").strip() and body_fr
    session.add(tpl)
    session.flush()
    audit.record(session, actor, "save", "message_template", tpl.id, f'Saved message template "{name}"',
                 entity_label=name)
    return tpl


def render(tpl: MessageTemplate, context: dict, language: str) -> tuple[str, str]:
    """(subject, text) filled in for a reader of `language` (its French version when the firm wrote one)."""
    french = language == "fr" and bool((tpl.body_fr or "").strip())
    subject, body = ((tpl.subject_fr or tpl.subject), tpl.body_fr) if french else (tpl.subject, tpl.body)
    # Sentences about the template in the caller's language; the texts filled in for the reader's.
    about_subject = _('subject of "{name}"').format(name=tpl.name)
    about_body = _('message "{name}"').format(name=tpl.name)
    with templating.speaking(i18n.current_locale()), i18n.using_locale(language or i18n.current_locale()):
        subject, body = templating.render_all([(subject, about_subject, MAX_SUBJECT),
                                               (body, about_body, templating.MAX_CHARS)], context)
    return " ".join(subject.split())[:MAX_SUBJECT], body


def thread_for_rule(session: Session, actor: Actor, *, account_id: int, job_id: int | None,
                    subject: str) -> ChatThread:
    """Where a rule's message goes: the account's open thread about the same job with that subject (or about
    no job), else a new one."""
    same = session.exec(select(ChatThread).where(
        ChatThread.account_id == account_id, ChatThread.archived_at.is_(None),
        ChatThread.job_id == job_id if job_id is not None else ChatThread.job_id.is_(None),
        func.lower(ChatThread.subject) == subject.lower()).order_by(ChatThread.id.desc())).first()
    if same is not None:
        return same
    thread = ChatThread(account_id=account_id, job_id=job_id, subject=subject)
    session.add(thread)
    session.flush()
    audit.record(session, actor, "chat_start", "chat_thread", thread.id, f'Started the conversation "{subject}"',
                 account_id=account_id, entity_label=subject)
    return thread
