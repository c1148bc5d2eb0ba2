"""Signature fields as placed and printed: a box dragged past the page's edge lands on the page, a text too wide
for its box prints smaller (never cut), and a box too small for readable text is refused before sending (staff)
or signing (the signer's own text), with a sentence saying what to change."""
from __future__ import annotations

import pytest
from sqlmodel import select

from practice import i18n
from practice.db import read_session, write_session
from practice.models import SignatureField, Signer
from practice.services.documents import files as document_files
from practice.services.errors import InvalidInput
from practice.services.signing import field_fit, requests, signer_flow, stamp
from practice.services.signing.field_fit import snap_box
from practice.services.signing.pages import PageSize
from practice.services.signing.stamp import MIN_TEXT_SIZE, StampField
from tests.factories import blank_pdf, contact_actor, make_firm, make_household, printed_texts

LETTER = PageSize(612, 792)


def hartley_with_a_pdf(monkeypatch):
    with write_session() as s:
        staff = make_firm(s)
        account, (june,) = make_household(s, staff["owner"], "Hartley Household", "Hartley", ("June",))
    doc = document_files.upload(staff["owner"], account.id, None, "8879.pdf", blank_pdf(1))
    return {**staff, "account": account.id, "doc": doc.id, "june": contact_actor(june.id), "june_id": june.id}


pytestmark = pytest.mark.firm(build=hartley_with_a_pdf)


def draft(firm) -> tuple[int, int]:
    with write_session() as s:
        req = requests.create_request(s, firm["owner"], firm["account"], title="Form 8879",
                                      signer_contact_ids=[firm["june_id"]], document_id=firm["doc"])
        return req.id, s.exec(select(Signer.id).where(Signer.request_id == req.id)).one()


def place(firm, req: int, *fields: dict) -> list[tuple[float, float, float, float]]:
    with write_session() as s:
        requests.set_fields(s, firm["owner"], req, list(fields))
    with read_session() as s:
        rows = s.exec(select(SignatureField).where(SignatureField.request_id == req)
                      .order_by(SignatureField.id)).all()
        return [(f.x, f.y, f.width, f.height) for f in rows]


# --- snapping -----------------------------------------------------------------------------------------


def test_a_box_dragged_past_an_edge_stops_at_the_edge_keeping_its_size():
    assert snap_box(0.9, 0.5, 0.3, 0.05) == (0.7, 0.5, 0.3, 0.05)       # past the right edge
    assert snap_box(-0.2, -0.01, 0.3, 0.05) == (0.0, 0.0, 0.3, 0.05)    # past the top left corner
    assert snap_box(0.5, 0.99, 0.2, 0.04) == (0.5, 0.96, 0.2, 0.04)     # past the bottom
    assert snap_box(0.2, 0.2, 1.5, 0.001) == (0.0, 0.2, 1.0, field_fit.MIN_SIDE)  # wider than the page, too thin


def test_saved_fields_are_snapped_onto_the_page(firm):
    req, june = draft(firm)
    field = {"signer_id": june, "kind": "signature", "page": 0, "width": 0.3, "height": 0.05}
    assert place(firm, req, field | {"x": 0.85, "y": -0.1}, field | {"x": -0.2, "y": 0.98}) == [
        (0.7, 0.0, 0.3, 0.05), (0.0, 0.95, 0.3, 0.05)]
    with write_session() as s, pytest.raises(InvalidInput, match="no valid position"):
        requests.set_fields(s, firm["owner"], req, [field | {"x": float("nan"), "y": 0.1}])


# --- shrinking and warning ----------------------------------------------------------------------------


def test_a_date_too_wide_for_its_box_prints_smaller_and_whole_inside_it():
    box = StampField(page=0, x=0.5, y=0.5, width=0.13, height=0.03, kind="date", text="September 28, 2026")
    (printed,) = printed_texts(stamp.stamp(blank_pdf(1), [box]))
    assert printed.text == "September 28, 2026"
    assert MIN_TEXT_SIZE <= printed.size < 11  # shrunk from the date's 11 points, still readable
    assert box.x < printed.x and printed.x + printed.width <= box.x + box.width  # nothing past the box
    assert box.y < printed.baseline < box.y + box.height


def test_a_date_that_fits_keeps_its_size_and_the_widest_date_decides_the_warning():
    assert stamp.text_size("date", "May 3, 2026", 0.16 * 612, 0.03 * 792) == 11
    assert field_fit.widest_date(2026) == "September 28, 2026"
    roomy = {"kind": "date", "page": 0, "width": 0.16, "height": 0.03}
    narrow = roomy | {"width": 0.06}
    low = roomy | {"height": 0.008}
    assert field_fit.field_warning(roomy, LETTER, "June Hartley") == ""
    assert field_fit.field_warning(narrow, LETTER, "June Hartley") == (
        "The date field for June Hartley on page 1 is too small for its text: make it wider.")
    assert field_fit.field_warning(low, LETTER, "June Hartley").endswith("make it taller.")
    text = {"kind": "text", "page": 1, "width": 0.3, "height": 0.008, "label": "Daytime phone"}
    assert field_fit.field_warning(text, LETTER, "June Hartley") == (
        'The text field "Daytime phone" for June Hartley on page 2 is too small for readable text: make it taller.')
    with i18n.using_locale("fr"):  # a French member placing fields reads it in French
        assert field_fit.field_warning(text, LETTER, "June Hartley") == (
            "Le champ de texte « Daytime phone » pour June Hartley en page 2 est trop petit pour un texte lisible : "
            "rendez-le plus haut.")
    # The signer's typed name decides a signature box.
    signature = {"kind": "signature", "page": 0, "width": 0.05, "height": 0.05}
    assert "signature field for June Hartley" in field_fit.field_warning(signature, LETTER, "June Hartley")


def test_sending_is_refused_while_a_box_is_too_small_for_its_text(firm):
    req, june = draft(firm)
    signature = {"signer_id": june, "kind": "signature", "page": 0, "x": 0.1, "y": 0.8, "width": 0.3, "height": 0.05}
    date = {"signer_id": june, "kind": "date", "page": 0, "x": 0.6, "y": 0.8, "width": 0.06, "height": 0.03}
    place(firm, req, signature, date)
    with write_session() as s, pytest.raises(InvalidInput) as refused:
        requests.send(s, firm["owner"], req)
    assert str(refused.value) == "The date field for June Hartley on page 1 is too small for its text: make it wider."
    place(firm, req, signature, date | {"width": 0.18})
    with write_session() as s:
        requests.send(s, firm["owner"], req)


def test_a_signer_text_too_long_for_its_box_is_refused_with_a_sentence(firm):
    req, june = draft(firm)
    place(firm, req,
          {"signer_id": june, "kind": "signature", "page": 0, "x": 0.1, "y": 0.8, "width": 0.3, "height": 0.05},
          {"signer_id": june, "kind": "text", "page": 0, "x": 0.1, "y": 0.5, "width": 0.1, "height": 0.03,
           "label": "Daytime phone"})
    with write_session() as s:
        requests.send(s, firm["owner"], req)
        field_id = s.exec(select(SignatureField.id).where(SignatureField.kind == "text")).one()
    with write_session() as s:
        signer_flow.open_for_signing(s, firm["june"], req)
        signer_flow.give_consent(s, firm["june"], req)
    long_text = "Call me on weekdays after six at 555 0100 or 555 0199"
    with write_session() as s, pytest.raises(InvalidInput, match='"Daytime phone" on page 1 is too long for its '
                                                                  "box: shorten it."):
        signer_flow.sign(s, firm["june"], req, signature_kind="typed", signature={"text": "June Hartley"},
                         values={field_id: long_text})
    with write_session() as s:
        signer_flow.sign(s, firm["june"], req, signature_kind="typed", signature={"text": "June Hartley"},
                         values={field_id: "555 0100"})
