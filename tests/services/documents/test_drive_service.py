"""The drive's domain rules without a server: logins, two-factor refusal, renames and folder moves."""
from __future__ import annotations

import pytest

from practice.db import read_session, write_session
from practice.models import StaffTwoFactor, utcnow
from practice.services.documents import drive, files as document_files, folders as document_folders
from practice.services.errors import Conflict, InvalidInput, PermissionDenied
from tests.factories import PASSWORD, make_account, make_firm


def acme_with_folders_and_a_two_factor_admin(monkeypatch):
    with write_session() as s:
        staff = make_firm(s, owner={"email": "o@firm.example"}, admins={"two_fa": {"email": "t@firm.example"}})
        s.add(StaffTwoFactor(member_id=staff["two_fa"].member_id, secret="JBSWY3DPEHPK3PXP", enabled_at=utcnow()))
        actor = staff["owner"]
        account = make_account(s, actor, name="Acme / Tax")
        top = document_folders.create_folder(s, actor, account.id, "2025")
        inner = document_folders.create_folder(s, actor, account.id, "Returns", parent_id=top.id)
        doc = document_files.record_upload(s, actor, account.id, top.id,
                                      document_files.Received(filename="a.pdf", key="k", size=1,
                                                         content_type="application/pdf"))
    return dict(actor=actor, account=account.id, top=top.id, inner=inner.id, doc=doc.id)


pytestmark = pytest.mark.firm(build=acme_with_folders_and_a_two_factor_admin)


def test_sign_in_checks_passwords_and_refuses_two_factor_logins(firm):
    with write_session() as s:
        assert drive.sign_in(s, "O@firm.example ", PASSWORD).kind == "staff"
    with pytest.raises(PermissionDenied, match="do not match"):
        with write_session() as s:
            drive.sign_in(s, "o@firm.example", "wrong password")
    with pytest.raises(PermissionDenied, match="two-factor"):
        with write_session() as s:
            drive.sign_in(s, "t@firm.example", PASSWORD)


def test_account_labels_are_single_segments_and_exact(firm):
    actor, account = firm["actor"], firm["account"]
    with read_session() as s:
        assert drive.visible_accounts(s, actor) == [(account, f"Acme - Tax ({account})")]
        assert drive.account_for_label(s, actor, f"Acme - Tax ({account})") == account
        assert drive.account_for_label(s, actor, f"Other ({account})") is None
        assert drive.account_for_label(s, actor, f"Acme - Tax ({account + 1})") is None


def test_rename_keeps_the_type_and_folders_cannot_go_inside_themselves(firm):
    actor = firm["actor"]
    with pytest.raises(InvalidInput, match=r'end in "\.pdf"'):
        with write_session() as s:
            document_files.rename_document(s, actor, firm["doc"], "a.exe")
    with write_session() as s:
        doc = document_files.rename_document(s, actor, firm["doc"], "b.pdf", folder_id=firm["inner"])
        assert (doc.name, doc.folder_id) == ("b.pdf", firm["inner"])
    with pytest.raises(InvalidInput, match="inside itself"):
        with write_session() as s:
            document_folders.move_folder(s, actor, firm["top"], name="2025", parent_id=firm["inner"])
    with write_session() as s:
        document_folders.create_folder(s, actor, firm["account"], "Returns")
    with pytest.raises(Conflict):
        with write_session() as s:
            document_folders.move_folder(s, actor, firm["inner"], name="Returns", parent_id=None)
    with write_session() as s:
        moved = document_folders.move_folder(s, actor, firm["inner"], name="Returns 2025", parent_id=None)
        assert (moved.name, moved.parent_id) == ("Returns 2025", None)
