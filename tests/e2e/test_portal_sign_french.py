"""A French-speaking client signs on the portal's signing page in French, at phone and desktop sizes: the consent
(the default disclosure in French), the refusals, the boxes, the review and the thanks show no text of the English
catalog (issue 14)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from practice import routes
from practice.db import write_session
from practice.models import AccountContact
from practice.services.documents import files as document_files
from tests.e2e.conftest import DESKTOP, PHONE, portal_log_in
from tests.e2e.test_portal_french import PASSWORD, _french_client
from tests.e2e.visible_english import english_left
from tests.factories import demo_owner, make_signature_request, normal_pdf

pytestmark = pytest.mark.e2e


def french_at_both_sizes(pg, expected: str) -> None:
    """`expected` is shown and no English, on the phone and then at desktop size (back to the phone after)."""
    for size in (PHONE, DESKTOP):
        pg.set_viewport_size(size)
        expect(pg.get_by_text(expected, exact=False).first).to_be_visible()
        assert english_left(pg) == [], expected
    pg.set_viewport_size(PHONE)


def test_a_french_client_signs_in_french(phone_page, base_url):
    email, account_id, tag = _french_client()
    owner = demo_owner()
    with write_session() as s:
        contact_id = s.exec(select(AccountContact.contact_id).where(AccountContact.account_id == account_id)).one()
    doc = document_files.upload(owner, account_id, None, f"Lettre de mission {tag}.pdf", normal_pdf(1))
    with write_session() as s:
        request_id = make_signature_request(s, owner, account_id, title=f"Lettre de mission {tag}",
                                            document_id=doc.id, signer_contact_ids=[contact_id]).id
    pg = phone_page
    portal_log_in(pg, base_url, email, PASSWORD)
    pg.goto(base_url + routes.portal_sign_url(request_id))
    expect(pg.locator("#sign-disclosure")).to_contain_text("Consentement à la signature")
    french_at_both_sizes(pg, "Avant de signer")
    pg.click("#consent-continue")
    french_at_both_sizes(pg, "Cochez « J'accepte » pour continuer")
    pg.click("#consent-agree")
    pg.click("#consent-continue")

    expect(pg.locator("#sign-progress")).to_have_text("0 sur 1 complété(s)")
    french_at_both_sizes(pg, "Touchez chaque case jaune")
    pg.click("#sign-finish")
    french_at_both_sizes(pg, "Complétez d'abord le champ 1 sur 1 (signature, page 1).")
    pg.locator(".sign-field[data-kind='signature']").click()
    expect(pg.locator("#sign-editor")).to_be_visible()
    assert english_left(pg) == []
    pg.click("#sign-pad-type-tab")
    pg.fill("#sign-pad-typed", "Camille Durand")
    pg.click("#sign-adopt")
    expect(pg.locator("#sign-editor")).to_have_count(0)
    pg.click("#sign-finish")
    expect(pg.locator("#sign-summary")).to_contain_text("Page 1, Signature — « Camille Durand »")
    assert english_left(pg) == []
    pg.click("#sign-now")
    expect(pg.locator("#sign-done-title")).to_have_text("Tout le monde a signé")
    french_at_both_sizes(pg, "L'exemplaire signé, scellé")
