"""Document templates: who manages them, filling them with an account's facts, the fields they carry
(or the default ones), the editor's preview, and no network access while rendering."""
from __future__ import annotations

import io
import time

import pytest
from pypdf import PdfReader

from practice.db import read_session, write_session
from practice.services.documents import doc_templates
from practice.services.work import jobs
from practice.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tests.factories import make_account, make_firm, make_household, make_pipeline

LETTER = """<h1>Engagement letter for {{ account.name }}</h1>
<p>Dear {{ contact.first_name }}, {{ firm.name }} will prepare {{ job.name }}.</p>
<p>Signed copies go to {% for c in contacts %}{{ c.email }} {% endfor %}</p>
<p style="margin-top: 400px">Initials: <span id="sign-1-initials-1"></span></p>
<div style="page-break-before: always"></div>
<p>Company: <span id="sign-2-text-company" style="display:inline-block; width: 200px; height: 18px"></span></p>
<div id="sign-1-signature" style="width: 300px; height: 60px"></div>
<div id="sign-2-signature" style="width: 300px; height: 60px"></div>
<div id="sign-2-date" style="width: 120px; height: 20px"></div>
"""


def hartley_with_a_job(monkeypatch):
    """"Hartley & Sons <Household>" (June) with a job, Other; Ann is an admin, Eli an employee of neither."""
    with write_session() as s:
        staff = make_firm(s, admins={"admin": "Ann Admin"}, employees={"eli": "Eli Employee"})
        owner = staff["owner"]
        hartley, _ = make_household(s, owner, "Hartley & Sons <Household>", "Hartley", ("June",), invite=False)
        other = make_account(s, owner, name="Other")
        pipeline = make_pipeline(s, owner, name="1040 Return")
        job = jobs.create_job(s, owner, account_id=hartley.id, pipeline_id=pipeline.id, name="1040 for 2026")
    return {**staff, "hartley": hartley.id, "other": other.id, "job": job.id}


pytestmark = pytest.mark.firm(build=hartley_with_a_job)


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_admins_manage_templates_and_everyone_on_staff_lists_them(firm):
    with write_session() as s, pytest.raises(PermissionDenied):
        doc_templates.save_template(s, firm["eli"], name="Letter", body=LETTER)
    with write_session() as s:
        t = doc_templates.save_template(s, firm["admin"], name="  Engagement   letter ", body=LETTER)
        assert t.name == "Engagement letter"
    with write_session() as s, pytest.raises(Conflict):
        doc_templates.save_template(s, firm["owner"], name="engagement LETTER", body="<p>x</p>")
    with write_session() as s, pytest.raises(InvalidInput, match="line 1"):
        doc_templates.save_template(s, firm["owner"], name="Broken", body="<p>{% if %}</p>")
    with write_session() as s, pytest.raises(InvalidInput, match="double quote"):
        doc_templates.save_template(s, firm["owner"], name='The "best"', body="<p>x</p>")
    with write_session() as s:
        doc_templates.save_template(s, firm["owner"], name="Engagement letter 2", body="<p>v2</p>", template_id=t.id)
    with read_session() as s:
        assert [v.name for v in doc_templates.list_templates(s, firm["eli"])] == ["Engagement letter 2"]
        assert doc_templates.names(s) == ["Engagement letter 2"]
    with write_session() as s, pytest.raises(PermissionDenied):
        doc_templates.delete_template(s, firm["eli"], t.id)
    with write_session() as s:
        doc_templates.delete_template(s, firm["owner"], t.id)
    with read_session() as s:
        assert doc_templates.list_templates(s, firm["eli"]) == []
        with pytest.raises(NotFound):
            doc_templates.render(s, "Engagement letter 2", firm["hartley"])


def test_render_fills_the_facts_escaped_and_places_the_template_fields(firm):
    with write_session() as s:
        doc_templates.save_template(s, firm["owner"], name="Letter", body=LETTER)
    with read_session() as s:
        out = doc_templates.render_with_fields(s, "letter", firm["hartley"], firm["job"], signers=2)
        assert doc_templates.render(s, "Letter", firm["hartley"], firm["job"])[:5] == b"%PDF-"
    text = " ".join(text_of(out.pdf).split())
    assert "Hartley & Sons <Household>" in text and "Dear June" in text and "1040 for 2026" in text
    assert "june@hartley.example" in text and len(PdfReader(io.BytesIO(out.pdf)).pages) == 2
    assert not out.default_fields
    got = {(f.signer, f.kind, f.label, f.page) for f in out.fields}
    assert got == {(1, "initials", "1", 0), (2, "text", "company", 1), (1, "signature", "", 1),
                   (2, "signature", "", 1), (2, "date", "", 1)}
    sig1 = next(f for f in out.fields if f.signer == 1 and f.kind == "signature")
    sig2 = next(f for f in out.fields if f.signer == 2 and f.kind == "signature")
    # 300 px of an 816 px wide Letter page; the second signature sits right under the first.
    assert abs(sig1.width - 300 / 816) < 0.001 and abs(sig1.height - 60 / 1056) < 0.001
    assert abs(sig2.y - (sig1.y + sig1.height)) < 0.001 and 0 < sig1.x < 0.2
    initials = next(f for f in out.fields if f.kind == "initials")
    assert initials.width == doc_templates.DEFAULT_SIZE["initials"][0]  # an empty span gets a usable size
    assert all(0 <= f.x and f.x + f.width <= 1 and 0 <= f.y and f.y + f.height <= 1 for f in out.fields)
    assert [round(w) for w, _ in out.page_sizes] == [612, 612]


def test_a_template_without_fields_gets_a_signature_and_date_per_signer_on_its_last_page(firm):
    with read_session() as s:
        out = doc_templates.preview(s, firm["eli"], body="<p>One</p><p style='page-break-before: always'>Two</p>",
                                    signers=2)
    assert out.default_fields
    assert sorted((f.signer, f.kind, f.page) for f in out.fields) == [
        (1, "date", 1), (1, "signature", 1), (2, "date", 1), (2, "signature", 1)]
    first, second = (next(f for f in out.fields if f.signer == n and f.kind == "signature") for n in (1, 2))
    assert first.y < second.y and second.y + second.height <= 1


def test_preview_uses_sample_data_or_an_account_the_member_may_see(firm):
    with read_session() as s:
        sample = doc_templates.preview(s, firm["eli"], body="<p>{{ account.name }} / {{ contact.name }}</p>")
        assert "Sample Household / Jane Sample" in text_of(sample.pdf)
        with pytest.raises(PermissionDenied):
            doc_templates.preview(s, firm["eli"], body="<p>x</p>", account_id=firm["hartley"])
        with pytest.raises(InvalidInput, match="another account"):
            doc_templates.preview(s, firm["owner"], body="<p>x</p>", account_id=firm["other"], job_id=firm["job"])
        with pytest.raises(InvalidInput, match=r"^Unknown placeholder \{\{ account.nmae \}\} in the document template: "
                                               r"did you mean \{\{ account.name \}\}\?$"):
            doc_templates.preview(s, firm["owner"], body="<p>{{ account.nmae }}</p>", account_id=firm["hartley"])
        with pytest.raises(InvalidInput, match=r"^This template uses \{\{ job.name \}\}"):
            doc_templates.preview(s, firm["owner"], body="<p>{{ job.name }}</p>", account_id=firm["hartley"])
        with pytest.raises(InvalidInput, match=r"^This template uses \{\{ job.name \}\}: choose an account \(and a job\)"):
            doc_templates.preview(s, firm["owner"], body="<p>{{ job.name }}</p>")
        with pytest.raises(PermissionDenied):
            doc_templates.preview(s, object(), body="<p>x</p>")


def test_rendering_never_fetches_from_the_network(firm):
    body = ('<img src="http://10.255.255.1/track.png"><link rel="stylesheet" href="http://10.255.255.1/x.css">'
            '<p style="background: url(https://10.255.255.1/bg.png)">Hello</p>')
    started = time.monotonic()
    with read_session() as s:
        out = doc_templates.preview(s, firm["owner"], body=body)
    assert time.monotonic() - started < 5 and "Hello" in text_of(out.pdf)
