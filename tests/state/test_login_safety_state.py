"""The login safety parts of the states, without a browser: the code step, the setup gate, denied handlers."""
import asyncio
import time

import pyotp
import pytest
from sqlmodel import select

from practice import routes
from practice.db import read_session, write_session
from practice.models import AuditLog, StaffTwoFactor
from practice.services.access import auth, two_factor
from practice.state.account_security import AccountSecurityState
from practice.state.login import LoginState
from practice.state.settings import SettingsState
from tests.factories import PASSWORD, handoff_token, make_firm, session_after_login


def owner_and_emma_on_the_settings_pages(monkeypatch):
    with write_session() as s:
        staff = make_firm(s, owner={"name": "Olivia Park", "email": "olivia@example.com"},
                          employees={"emma": {"name": "Emma Stone", "email": "emma@example.com"}})
    who = {"actor": staff["owner"]}
    for cls in (SettingsState, AccountSecurityState):
        monkeypatch.setattr(cls, "_actor", lambda self: who["actor"])
    return {**staff, "who": who}


pytestmark = pytest.mark.firm(build=owner_and_emma_on_the_settings_pages)


def test_an_employee_calling_an_admin_handler_is_refused_and_audited(firm):
    firm["who"]["actor"] = firm["emma"]
    state = SettingsState()
    state.set_require_two_factor(True)
    with read_session() as s:
        assert not two_factor.firm_requires(s)
        row = s.exec(select(AuditLog).where(AuditLog.action == "access_denied")).one()
    assert row.actor_id == firm["emma"].member_id and row.detail["handler"] == "SettingsState.set_require_two_factor"


def test_required_two_factor_lets_only_the_setup_page_work_until_done(firm):
    SettingsState().set_require_two_factor(True)
    firm["who"]["actor"] = firm["emma"]
    refused = SettingsState().load()
    assert routes.ACCOUNT_SECURITY in str(refused)
    page = AccountSecurityState()
    page.load()
    assert page.must_set_up and not page.enabled
    page.start_setup()
    assert page.setting_up and page.setup_key and page.setup_qr.startswith("data:image/svg+xml")
    with read_session() as s:
        secret = s.get(StaffTwoFactor, firm["emma"].member_id).secret
    page.confirm_setup({"code": pyotp.TOTP(secret).now()})
    assert page.enabled and len(page.shown_codes) == 10 and page.setup_key == "" and not page.must_set_up
    assert SettingsState().load() is None


def test_the_login_state_asks_for_a_code_then_logs_in(firm):
    emma = firm["emma"]
    with write_session() as s:
        two_factor.start_setup(s, emma)
    with read_session() as s:
        secret = s.get(StaffTwoFactor, emma.member_id).secret
    totp = pyotp.TOTP(secret)
    with write_session() as s:
        two_factor.confirm_setup(s, emma, totp.now())
    state = LoginState()
    assert handoff_token(asyncio.run(state.log_in({"email": "emma@example.com", "password": PASSWORD}))) is None
    assert state.step == "code" and state.error == ""
    asyncio.run(state.submit_code({"code": "12345"}))
    assert "not right" in state.error and state.step == "code"
    # The code for the next step (the current one was used to turn it on).
    cookie = session_after_login(asyncio.run(state.submit_code({"code": totp.at(time.time() + 30)})))
    assert state.error == "" and state.step == "password"
    with read_session() as s:
        assert auth.actor_for_session(s, cookie.sid).member_id == emma.member_id
