"""The firm's card payment keys (Settings → Payments, admins): entered, checked by a test call to the provider before
they are kept, and shown back without the secrets (the secret key as its first and last characters only)."""
from __future__ import annotations

import dataclasses

from sqlmodel import Session, select

from practice.i18n import _
from practice.models import PaymentSettings, utcnow
from practice.services import audit
from practice.services.actor import Actor, require_admin
from practice.services.errors import InvalidInput
from practice.services.payments.provider import PaymentProvider
from practice.services.payments.stripe_provider import StripeProvider

# The providers the app can talk to, by the name kept in PaymentSettings.provider.
PROVIDERS = {"stripe": StripeProvider}
KEY_LIMIT = 500


@dataclasses.dataclass(frozen=True)
class PaymentKeys:
    """Keys as an admin entered them, merged with the saved secrets they left blank."""

    provider: str
    secret_key: str
    publishable_key: str
    webhook_secret: str


def _row(session: Session) -> PaymentSettings | None:
    return session.exec(select(PaymentSettings)).first()


def make_provider(keys: PaymentKeys | PaymentSettings) -> PaymentProvider:
    return PROVIDERS[keys.provider](secret_key=keys.secret_key, publishable_key=keys.publishable_key,
                                    webhook_secret=keys.webhook_secret)


def provider_for(session: Session) -> PaymentProvider | None:
    """The firm's provider, once an admin has saved keys that passed the test call; None before."""
    row = _row(session)
    if row is None or row.checked_at is None or not row.secret_key or row.provider not in PROVIDERS:
        return None
    return make_provider(row)


def currency(session: Session) -> str:
    row = _row(session)
    return row.currency if row else "usd"


def is_set_up(session: Session) -> bool:
    """Whether clients can pay by card (keys saved and checked)."""
    return provider_for(session) is not None


def _key(text: str | None, field: str, prefix: str, saved: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        if saved:
            return saved  # left blank: keep the one saved (secrets are never shown back to be re-entered)
        raise InvalidInput(message, field=field)
    if len(text) > KEY_LIMIT or not text.startswith(prefix) or any(c.isspace() for c in text):
        raise InvalidInput(message, field=field)
    return text


def entered_keys(session: Session, actor: Actor, *, secret_key: str | None, publishable_key: str,
                 webhook_secret: str | None) -> PaymentKeys:
    """Read the keys an admin typed (a blank secret keeps the saved one); each key's shape is checked here, whether
    Stripe accepts them by `check_keys`."""
    require_admin(actor)
    row = _row(session) or PaymentSettings()
    secret = _key(secret_key, "secret_key", "sk_", row.secret_key,
                  _("The secret key starts with sk_ (sk_live_ or sk_test_): copy it from the Developers → API keys "
                    "page of your Stripe account."))
    public = _key(publishable_key, "publishable_key", "pk_", "",
                  _("The publishable key starts with pk_: copy it from the Developers → API keys page of your "
                    "Stripe account."))
    signing = _key(webhook_secret, "webhook_secret", "whsec_", row.webhook_secret,
                   _("The webhook signing secret starts with whsec_: Stripe shows it on the page of the webhook "
                     "endpoint you add for this app."))
    if secret.startswith("sk_live_") != public.startswith("pk_live_"):
        raise InvalidInput(_("The two keys are of different modes: use both live keys or both test keys."),
                           field="publishable_key")
    return PaymentKeys("stripe", secret, public, signing)


def check_keys(keys: PaymentKeys) -> None:
    """A test call to the provider with these keys (outside any write transaction: it may take seconds); raises
    ProviderError with the sentence to show when it fails."""
    make_provider(keys).check_keys()


def save_keys(session: Session, actor: Actor, keys: PaymentKeys) -> PaymentSettings:
    """Keep keys that passed `check_keys` (admins): from now on clients can pay by card."""
    require_admin(actor)
    row = _row(session) or PaymentSettings()
    changed = [name for name, before, after in (("secret key", row.secret_key, keys.secret_key),
                                                ("publishable key", row.publishable_key, keys.publishable_key),
                                                ("webhook signing secret", row.webhook_secret, keys.webhook_secret))
               if before != after]
    row.provider, row.secret_key, row.publishable_key = keys.provider, keys.secret_key, keys.publishable_key
    row.webhook_secret, row.checked_at = keys.webhook_secret, utcnow()
    session.add(row)
    session.flush()
    audit.record(session, actor, "update", "payment_settings", row.id,
                 "Card payments set up with Stripe" + (f" (changed: {', '.join(changed)})" if changed else ""),
                 entity_label="Stripe")
    return row


def turn_off(session: Session, actor: Actor) -> None:
    """Stop taking card payments (admins): the keys are forgotten; payments already recorded stay."""
    require_admin(actor)
    row = _row(session)
    if row is None or not row.secret_key:
        return
    row.secret_key, row.publishable_key, row.webhook_secret, row.checked_at = "", "", "", None
    session.add(row)
    audit.record(session, actor, "update", "payment_settings", row.id, "Card payments turned off",
                 entity_label="Stripe")


def _hint(secret: str) -> str:
    """A saved secret as people may see it again: its kind and last four characters ("sk_test_…4242")."""
    if not secret:
        return ""
    kind = secret[:secret.rfind("_", 0, 9) + 1]  # "sk_test_", "sk_live_", "whsec_"
    return f"{kind}…{secret[-4:]}" if len(secret) > len(kind) + 8 else f"{kind}…"


@dataclasses.dataclass(frozen=True)
class PaymentSettingsView:
    set_up: bool
    publishable_key: str
    secret_key_hint: str
    webhook_secret_hint: str
    webhook_path: str


def settings_for_display(session: Session, actor: Actor, webhook_path: str) -> PaymentSettingsView:
    """The settings without the secrets (admins)."""
    require_admin(actor)
    row = _row(session) or PaymentSettings()
    return PaymentSettingsView(set_up=row.checked_at is not None and bool(row.secret_key),
                               publishable_key=row.publishable_key, secret_key_hint=_hint(row.secret_key),
                               webhook_secret_hint=_hint(row.webhook_secret), webhook_path=webhook_path)
