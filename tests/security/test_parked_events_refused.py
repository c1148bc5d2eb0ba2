"""Events set aside are the owners' and admins' to read, retry and dismiss: an employee and a portal contact are
refused by the services (the page's handlers are in the authorization matrix), and the event stays as it was."""
from __future__ import annotations

import pytest
from sqlmodel import select

from practice.db import read_session, write_session
from practice.models import Event, EventStatus, Task
from practice.services.automation import parked
from practice.services.errors import PermissionDenied
from tests.factories import contact_actor, refuse_tasks_titled
from tests.services.automation.test_parked import TASK, hartley_with_a_rule_that_makes_a_task, park

pytestmark = [pytest.mark.security, pytest.mark.firm(build=hartley_with_a_rule_that_makes_a_task)]


def test_an_employee_and_a_portal_contact_cannot_list_preview_retry_or_dismiss(firm):
    refuse_tasks_titled(TASK)
    event_id = park(firm, firm["jobs"][0])
    for actor in (firm["bob"], contact_actor(firm["contact_id"])):
        with read_session() as s, pytest.raises(PermissionDenied):
            parked.list_parked(s, actor)
        with read_session() as s, pytest.raises(PermissionDenied):
            parked.list_parked(s, actor, dismissed=True)
        for action in (parked.preview_retry, parked.retry_event, parked.dismiss_event):
            with write_session() as s, pytest.raises(PermissionDenied):
                action(s, actor, event_id)
    with read_session() as s:
        ev = s.get(Event, event_id)
        assert ev.status == EventStatus.failed and ev.dismissed_at is None
        assert s.exec(select(Task).where(Task.title == TASK)).all() == []
