"""Each person is served in their own language: a French member's refusals and a French contact's login errors
and portal sentences are French, while an English colleague on the same firm keeps English (issue 14)."""
import asyncio
import datetime as dt

import pytest

from practice import i18n
from practice.db import read_session, write_session
from practice.models import TeamMember
from practice.services import firm as firms
from practice.services.access import team
from practice.services.actor import Actor
from practice.services.errors import PermissionDenied
from practice.services.formatting import format_date, format_datetime, format_money, full_date, relative_time
from practice.services.portal import logins
from practice.state.portal import PortalActivateState, signing_items
from practice.state.settings import SettingsState
from practice.services.errors import InvalidInput
from practice.services.work import accounts
from tests.factories import PASSWORD, contact_actor, make_account, make_contact, make_firm


def two_employees(monkeypatch):
    with write_session() as s:
        staff = make_firm(s, employees={"emma": {"name": "Emma Stone", "email": "emma@example.com"},
                                        "bob": {"name": "Bob Lee", "email": "bob@example.com"}})
        team.set_my_language(s, staff["emma"], "fr")
    who = {"member_id": staff["emma"].member_id}

    def actor(self):  # the member as the database says now (the language included), like a real session
        with read_session() as s:
            member = s.get(TeamMember, who["member_id"])
            return Actor.of(member, firms.language_for(s, member.language))

    monkeypatch.setattr(SettingsState, "_actor", actor)
    return {**staff, "who": who}


pytestmark = pytest.mark.firm(build=two_employees)


def test_a_french_member_is_refused_in_french_and_an_english_one_in_english(firm):
    refused = SettingsState().set_require_two_factor(True)
    assert "Vous n'avez pas l'autorisation de faire cela" in str(refused)
    firm["who"]["member_id"] = firm["bob"].member_id
    refused = SettingsState().set_require_two_factor(True)
    assert "You do not have permission to do that" in str(refused)


def test_the_page_state_takes_the_members_language_and_switching_changes_only_theirs(firm):
    state = SettingsState()
    state.require_login()
    assert state.lang == "fr"
    firm["who"]["member_id"] = firm["bob"].member_id
    other = SettingsState()
    other.require_login()
    assert other.lang == "en"
    with write_session() as s:
        team.set_my_language(s, firm["bob"], "fr")
    other.require_login()
    assert other.lang == "fr"
    with read_session() as s:
        assert s.get(TeamMember, firm["emma"].member_id).language == "fr"


def test_the_firms_default_serves_people_who_chose_no_language(firm):
    with write_session() as s:
        firms.update_firm(s, firm["owner"], name="Cabinet Martin", timezone="Europe/Paris", language="fr")
    with read_session() as s:
        bob = s.get(TeamMember, firm["bob"].member_id)
        assert bob.language == "" and firms.language_for(s, bob.language) == "fr"
    with write_session() as s, pytest.raises(Exception, match="Choose English or French"):
        team.set_my_language(s, firm["bob"], "klingon")


def test_a_french_contact_reads_login_errors_and_portal_sentences_in_french(firm):
    with write_session() as s, i18n.using_locale("fr"), pytest.raises(PermissionDenied) as refused:
        logins.log_in(s, "nobody@example.com", PASSWORD)
    assert str(refused.value) == ("Cette adresse e-mail et ce mot de passe ne correspondent pas. "
                                  "Vérifiez-les et réessayez.")

    class Request:  # a signature request as the portal's list reads it
        id, title, status, my_turn, waiting_for, signed_count, signer_count = 7, "Lettre de mission", "sent", False, \
            ["Dana Whitfield"], 1, 2
        sent_at = created_at = dt.datetime(2027, 4, 15, 9, 30, tzinfo=dt.timezone.utc)

    with i18n.using_locale("fr"):
        item = signing_items([Request], "Europe/Paris")[0]
    assert item.status == "En attente de Dana Whitfield · 1 signature sur 2"
    assert item.asked.startswith("Demandé le 15 avr.")
    assert signing_items([Request], "Europe/Paris")[0].status == "Waiting for Dana Whitfield · 1 of 2 signed"


def test_dates_and_money_follow_the_persons_locale(firm):
    day, moment = dt.date(2027, 4, 15), dt.datetime(2026, 12, 3, 13, 6, tzinfo=dt.timezone.utc)
    now = dt.datetime(2027, 1, 1, 12, tzinfo=dt.timezone.utc)
    assert (full_date(day), format_money(123456, "USD")) == ("Apr 15, 2027", "$1,234.56")
    assert format_datetime(moment, "UTC") == "Dec 3, 2026, 1:06 PM"
    with i18n.using_locale("fr"):
        assert full_date(day) == "15 avril 2027"
        assert format_money(123456, "EUR") == "1\u202f234,56\xa0€"
        assert format_datetime(moment, "UTC") == "3 déc. 2026 à 13:06"
        assert format_date(day, "UTC", now=now) == "15 avr."
        assert relative_time(now - dt.timedelta(hours=3), "UTC", now=now) == "il y a 3 heures"
        assert relative_time(now - dt.timedelta(days=1), "UTC", now=now) == "hier"
        assert relative_time(now + dt.timedelta(minutes=1, seconds=5), "UTC", now=now) == "dans 1 minute"


def test_staff_set_a_contacts_language_which_its_portal_then_follows(firm):
    with write_session() as s:
        account = make_account(s, firm["owner"], name="Famille Martin")
        contact = make_contact(s, firm["owner"], [account.id], "Claire", "Martin")
        accounts.update_contact(s, firm["owner"], contact.id, language="fr")
    assert contact_actor(contact.id).language == "fr"
    with write_session() as s, pytest.raises(InvalidInput, match="Choose English or French"):
        accounts.update_contact(s, firm["owner"], contact.id, language="de")
    with write_session() as s:  # back to the firm's default
        accounts.update_contact(s, firm["owner"], contact.id, language="")
    assert contact_actor(contact.id).language == "en"


def test_the_activation_page_speaks_the_invited_contacts_language(firm):
    with write_session() as s:
        account = make_account(s, firm["owner"], name="Famille Martin")
        claire = make_contact(s, firm["owner"], [account.id], "Claire", "Martin", language="fr")
        link = logins.invite(s, firm["owner"], claire.id).link
    state = PortalActivateState()
    state._token = link.split("token=", 1)[1]
    state.load()
    assert (state.link_email, state.lang) == ("claire@martin.example", "fr")
    asyncio.run(state.set_password({"new_password": "une phrase assez longue", "confirm_password": "autre chose"}))
    assert state.error == "Les deux mots de passe diffèrent. Saisissez deux fois le même."
