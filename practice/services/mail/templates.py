"""The firm's email templates: save, delete, preview against an account and job, render."""
from __future__ import annotations

from sqlmodel import Session, select

from practice import i18n
from practice.i18n import N_, _
from practice.models import EmailTemplate, utcnow
from practice.services import audit, templating
from practice.services.work import facts
from practice.services.actor import Actor, require_admin
from practice.services.errors import Conflict, InvalidInput, NotFound
from practice.services.work.accounts import get_account
from practice.services.work.jobs import get_job


def list_templates(session: Session) -> list[EmailTemplate]:
    return list(session.exec(select(EmailTemplate).order_by(EmailTemplate.name)))


def template_by_name(session: Session, name: str) -> EmailTemplate | None:
    target = name.strip().lower()
    for t in list_templates(session):
        if t.name.strip().lower() == target:
            return t
    return None


def save_template(session: Session, actor: Actor, *, name: str, subject: str, body: str,
                  template_id: int | None = None, subject_fr: str = "", body_fr: str = "") -> EmailTemplate:
    """Create or change a template (admins); its French version (subject and body, both or neither) is optional."""
    require_admin(actor)
    name = name.strip()
    if not name:
        raise InvalidInput(_('Give the template a name.'), field="name")
    if not subject.strip():
        raise InvalidInput(_('Give the email a subject.'), field="subject")
    templating.check_template(subject, N_("subject"))
    templating.check_template(body, N_("email body"))
    if body_fr.strip() and not subject_fr.strip():
        raise InvalidInput(_("Give the French version a subject too, or leave both French fields empty."),
                           field="subject_fr")
    if subject_fr.strip() and not body_fr.strip():
        raise InvalidInput(_("Give the French version a body too, or leave both French fields empty."),
                           field="body_fr")
    templating.check_template(subject_fr, N_("French subject"))
    templating.check_template(body_fr, N_("French email body"))
    other = template_by_name(session, name)
    if other and other.id != template_id:
        raise Conflict(_('There is already an email template "{name}".').format(name=name))
    if template_id:
        tpl = session.get(EmailTemplate, template_id)
        if not tpl:
            raise NotFound(_('That template no longer exists.'))
    else:
        tpl = EmailTemplate(name=name, subject=subject, body=body)
        session.add(tpl)
    tpl.name, tpl.subject, tpl.body, tpl.updated_at = name, subject, body, utcnow()
    tpl.subject_fr, tpl.body_fr = subject_fr.strip() and subject_fr, body_fr.strip() and body_fr
    session.flush()
    audit.record(session, actor, "save", "email_template", tpl.id, f'Saved email template "{name}"')
    return tpl


def get_template(session: Session, template_id: int) -> EmailTemplate:
    tpl = session.get(EmailTemplate, template_id)
    if not tpl:
        raise NotFound(_('That template no longer exists.'))
    return tpl


def delete_template(session: Session, actor: Actor, template_id: int) -> str:
    """Delete a template (admins); returns its name. Mails already queued from it keep their text."""
    require_admin(actor)
    tpl = get_template(session, template_id)
    name = tpl.name
    session.delete(tpl)
    audit.record(session, actor, "delete", "email_template", template_id, f'Deleted email template "{name}"')
    return name


def preview_template(session: Session, actor: Actor, *, subject: str, body: str, account_id: int,
                     job_id: int | None = None, name: str = "") -> tuple[str, str]:
    """(subject, body) of a draft template filled in for an account the actor may see and one of its jobs.

    The contact placeholders use the account's first contact with an email address, as a mail to the
    account would.
    """
    get_account(session, actor, account_id)
    if job_id:
        if get_job(session, actor, job_id).account_id != account_id:
            raise InvalidInput(_("That job belongs to another account; choose one of this account's jobs."), field="job")
    recipients = facts.account_recipients(session, account_id)
    found = facts.facts_for(session, job_id=job_id or None, account_id=account_id,
                            contact_id=recipients[0]["id"] if recipients else None)
    draft = EmailTemplate(name=name.strip() or "draft", subject=subject, body=body)
    try:
        return render_template(draft, facts.template_context(session, found))
    except templating.EmptyPlaceholder as err:
        raise InvalidInput(facts.preview_hint(session, err, account_id), field="job") from None


def render_template(tpl: EmailTemplate, context: dict, language: str = "") -> tuple[str, str]:
    """(subject, body) of a template filled in with the context, in its French version for a French reader
    (`language`) when the firm wrote one."""
    french = language == "fr" and bool((tpl.body_fr or "").strip())
    subject, body = (tpl.subject_fr, tpl.body_fr) if french else (tpl.subject, tpl.body)
    # Sentences about the template in the caller's language; the texts filled in for the reader's.
    about_subject = _('subject of "{name}"').format(name=tpl.name)
    about_body = _('email "{name}"').format(name=tpl.name)
    with templating.speaking(i18n.current_locale()), i18n.using_locale(language or i18n.current_locale()):
        subject, body = templating.render_all([(subject, about_subject, 500),
                                               (body, about_body, templating.MAX_CHARS)], context)
    return " ".join(subject.split()), body
