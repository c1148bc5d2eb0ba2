"""The work pages' sentences in French for a French member: what a deletion or a merge takes with it, the refusals
of bad input, account types and priorities; the audit log keeps its records in English (issue 14)."""
import pytest
from sqlmodel import select

from practice import i18n
from practice.db import read_session, write_session
from practice.models import AuditLog
from practice.services.errors import Conflict, InvalidInput
from practice.services.work import accounts, jobs, merge, removal
from tests.factories import give_portal_login, make_account, make_contact, make_firm


def two_accounts(monkeypatch):
    """An owner; the Hartley household with Jim (and his portal login to come) and Mary; a duplicate account."""
    with write_session() as s:
        staff = make_firm(s)
        o = staff["owner"]
        account = make_account(s, o, name="Hartley Household")
        twin = make_account(s, o, name="Hartley Houshold")
        jim = make_contact(s, o, [account.id, twin.id], "Jim", "Hartley", email="jim@hartley.example")
        mary = make_contact(s, o, [account.id], "Mary", "Hartley", email="mary@hartley.example")
        return {**staff, "account": account.id, "twin": twin.id, "jim": jim.id, "mary": mary.id}


pytestmark = pytest.mark.firm(build=two_accounts)


def test_what_a_contact_deletion_takes_is_said_in_french_and_recorded_in_english(firm):
    give_portal_login(firm["owner"], firm["jim"], "a long enough secret 42")
    with i18n.using_locale("fr"), read_session() as s:
        preview = removal.contact_removal(s, firm["owner"], firm["jim"])
        assert preview.sentence == ("Supprimer « Jim Hartley » supprime aussi son accès à l'espace client "
                                    "(jim@hartley.example) et ses rattachements à 2 dossiers. Cette action est "
                                    "irréversible.")
    with i18n.using_locale("fr"), write_session() as s:
        removal.delete_contact(s, firm["owner"], firm["jim"])
    with read_session() as s:
        row = s.exec(select(AuditLog).where(AuditLog.action == "delete")).one()
    assert row.summary == "Deleted contact Jim Hartley"
    assert row.detail["took"] == ["their portal login (jim@hartley.example)", "their links to 2 accounts"]


def test_a_merge_preview_in_french(firm):
    with i18n.using_locale("fr"), read_session() as s:
        preview = merge.account_merge_preview(s, firm["owner"], firm["account"], firm["twin"])
        assert preview.sentence == ("« Hartley Houshold » est fusionné dans « Hartley Household », puis supprimé. "
                                    "Passent dans « Hartley Household » : 1 contact. Cette action est irréversible.")
        with pytest.raises(InvalidInput, match="Choisissez deux dossiers différents à fusionner."):
            merge.account_merge_preview(s, firm["owner"], firm["account"], firm["account"])


def test_refusals_types_and_priorities_in_french(firm):
    with i18n.using_locale("fr"), write_session() as s:
        with pytest.raises(InvalidInput) as err:
            accounts.create_account(s, firm["owner"], name=" ")
        assert str(err.value) == "Donnez un nom au dossier."
        with pytest.raises(Conflict) as err:
            accounts.update_contact(s, firm["owner"], firm["mary"], email="jim@hartley.example")
        assert str(err.value).startswith("Jim Hartley a déjà l'adresse e-mail jim@hartley.example.")
        # A French member may write the type as they read it; it is stored as the type itself.
        assert accounts.create_account(s, firm["owner"], name="Boulangerie Martin", type="Société").type == "Company"
        assert accounts.account_type_name("Company") == "Société" and jobs.priority_name("High") == "Haute"
    assert accounts.account_type_name("Company") == "Company"
