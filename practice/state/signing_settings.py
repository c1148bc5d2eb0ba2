"""Settings → Signing: the sealing certificate, the timestamp server and the consent disclosure (owner/admins)."""
from __future__ import annotations

import asyncio

import reflex as rx

from practice.i18n import _
from practice.services.errors import PracticeError
from practice.services.signing import certificates, seal, signing_settings
from practice.state.base import ADMIN, AppState, allow, run, shown_in

MAX_P12_BYTES = certificates.MAX_PKCS12_BYTES


class SigningSettingsState(AppState):
    subject: str = ""
    issuer: str = ""
    fingerprint: str = ""
    valid_from: str = ""
    valid_until: str = ""
    origin: str = ""
    older_certificates: int = 0
    tsa_url: str = ""
    disclosure_text: str = ""
    # Its French version, and the default French readers get when both are empty (shown as the example).
    disclosure_text_fr: str = ""
    default_disclosure_fr: str = ""
    loaded: bool = False
    certificate_error: str = ""
    certificate_notice: str = ""
    tsa_error: str = ""
    tsa_notice: str = ""
    disclosure_error: str = ""
    disclosure_notice: str = ""
    error: str = ""
    confirm_open: bool = False
    testing_tsa: bool = False
    # The PKCS#12 password stays on the server, never echoed back to the browser.
    _p12_password: str = ""

    def _refresh(self, actor) -> None:
        try:
            result = run(signing_settings.view, actor)
        except PracticeError as err:
            self.error = str(err)
            return
        self.subject, self.issuer, self.fingerprint = result.subject, result.issuer, result.fingerprint
        self.valid_from, self.valid_until, self.origin = result.valid_from, result.valid_until, result.origin
        self.older_certificates = result.older_certificates
        self.tsa_url, self.disclosure_text = result.tsa_url, result.disclosure_text
        self.disclosure_text_fr, self.default_disclosure_fr = result.disclosure_text_fr, result.default_disclosure_fr
        self.loaded = True

    @allow(ADMIN)
    def load(self):
        self.error = self.certificate_error = self.certificate_notice = ""
        self.tsa_error = self.tsa_notice = self.disclosure_error = self.disclosure_notice = ""
        self.confirm_open, self._p12_password = False, ""
        self._refresh(self._require())

    @allow(ADMIN)
    def remember_password(self, value: str = ""):
        self._p12_password = str(value or "")[:500]

    @allow(ADMIN)
    async def upload_certificate(self, files: list[rx.UploadFile]):
        """Use the uploaded PKCS#12 (with the typed password) for new seals."""
        actor = self._require()
        self.certificate_error = self.certificate_notice = ""
        if not files:
            self.certificate_error = _("Choose the certificate file (.p12 or .pfx) first.")
            return
        data = files[0].file.read(MAX_P12_BYTES + 1)
        password, self._p12_password = self._p12_password, ""
        with shown_in(self, "certificate_error"):
            result = await asyncio.to_thread(run, certificates.upload_pkcs12, actor, data, password)
            self.certificate_notice = _("New files are now sealed with {subject}.").format(subject=result.subject)
            self._refresh(actor)

    @allow(ADMIN)
    def certificate_rejected(self, rejected: list[dict] | None = None):
        self.certificate_error = _("Choose one .p12 or .pfx file (a certificate with its private key).")

    @allow(ADMIN)
    def open_confirm(self):
        self.confirm_open = True

    @allow(ADMIN)
    def set_confirm_open(self, value: bool = False):
        self.confirm_open = bool(value) if isinstance(value, bool) else False

    @allow(ADMIN)
    async def regenerate(self):
        actor = self._require()
        self.confirm_open = False
        self.certificate_error = self.certificate_notice = ""
        with shown_in(self, "certificate_error"):
            await asyncio.to_thread(run, certificates.regenerate, actor)
            self.certificate_notice = _("A new certificate was made. Files sealed before stay valid.")
            self._refresh(actor)

    @allow(ADMIN)
    def download_certificate(self):
        pem = run(signing_settings.certificate_pem, self._require())
        return rx.download(data=pem, filename="firm-seal-certificate.pem")

    @allow(ADMIN)
    async def save_tsa(self, form: dict):
        """Test the timestamp server (one real timestamp request), then save it; empty turns timestamps off."""
        actor = self._require()
        self.tsa_error = self.tsa_notice = ""
        raw = str((form or {}).get("tsa_url", ""))[:600]
        try:
            url = signing_settings.clean_tsa_url(raw)
            if url:
                self.testing_tsa = True
                yield
                await asyncio.to_thread(seal.check_timestamp_server, url)
        except PracticeError as err:
            self.testing_tsa = False
            self.tsa_error = _("{reason} The address was not saved.").format(reason=str(err))
            return
        self.testing_tsa = False
        with shown_in(self, "tsa_error"):
            self.tsa_url = run(signing_settings.set_timestamp_server, actor, raw)
            self.tsa_notice = (_("The timestamp server answered; new seals carry its timestamp.") if self.tsa_url else
                               _("No timestamp server: seals carry this server's clock time, and nothing leaves it."))

    @allow(ADMIN)
    def save_disclosure(self, form: dict):
        """Save the disclosure and its French version (what was typed stays in the fields after an error)."""
        actor, form = self._require(), form or {}
        self.disclosure_error = self.disclosure_notice = ""
        with shown_in(self, "disclosure_error"):
            run(signing_settings.set_disclosure, actor, str(form.get("disclosure", ""))[:30000],
                str(form.get("disclosure_fr", ""))[:30000])
            self._refresh(actor)
            self.disclosure_notice = (_("Saved. Clients are asked to agree to the new text before their next signature.")
                                      if self.disclosure_text or self.disclosure_text_fr
                                      else _("Saved: clients see the default text."))
