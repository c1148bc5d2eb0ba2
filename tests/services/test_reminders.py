"""The reminders machinery, with a small item kind of the test's own (features list theirs in reminder_kinds)."""
import datetime as dt

import rules

from sqlmodel import select

from practice import i18n
from practice.db import write_session
from practice.models import Due, Task, TaskStatus
from practice.services import reminders
from practice.services.work import jobs, tasks
from tests.factories import actor_of, make_job, make_member

SENT: list[tuple[int, int]] = []


# A client task stands in for the items to come: complete when its status is completed.
KINDS = {"test_task": reminders.Remindable(
    is_complete=lambda s, item_id: s.get(Task, item_id).status == TaskStatus.completed,
    remind=lambda s, item_id, n: SENT.append((item_id, n)) or rules.Words("Reminded {emails} to fill in \"{name}\"", emails="june@hartley.example",
                                                       name=f"Task {item_id}"))}


def test_reminders_repeat_then_stop_at_the_count(fresh_db):
    SENT.clear()
    with write_session() as s:
        actor = actor_of(make_member(s, role="owner"))
        job = make_job(s, actor)
        task = tasks.create_task(s, actor, title="Upload your W-2", job_id=job.id)
        start = dt.datetime(2027, 1, 4, 9, tzinfo=dt.timezone.utc)
        reminders.schedule(s, kind="test_task", item_id=task.id, every=dt.timedelta(days=3), times=2,
                           key="k1", job_id=job.id, start=start)
        assert reminders.schedule(s, kind="test_task", item_id=task.id, every=dt.timedelta(days=3), times=2,
                                  key="k1", job_id=job.id, start=start) is None  # keyed: planned once
    with write_session() as s:
        assert reminders.send_due(s, KINDS, now=start + dt.timedelta(days=2)) == 0
        assert reminders.send_due(s, KINDS, now=start + dt.timedelta(days=3)) == 1
        assert reminders.send_due(s, KINDS, now=start + dt.timedelta(days=3)) == 0  # not twice
        assert reminders.send_due(s, KINDS, now=start + dt.timedelta(days=30)) == 1
        assert reminders.send_due(s, KINDS, now=start + dt.timedelta(days=60)) == 0  # up to 2 times
        due = s.exec(select(Due)).one()
        assert due.status == "done" and len(due.payload["log"]) == 2
    assert [n for _, n in SENT] == [1, 2]


def test_reminders_stop_when_the_item_is_complete_or_the_job_archived(fresh_db):
    SENT.clear()
    start = dt.datetime(2027, 1, 4, 9, tzinfo=dt.timezone.utc)
    with write_session() as s:
        actor = actor_of(make_member(s, role="owner"))
        job = make_job(s, actor)
        done_task = tasks.create_task(s, actor, title="Sign 8879", job_id=job.id)
        other_job = make_job(s, actor)
        open_task = tasks.create_task(s, actor, title="Send statements", job_id=other_job.id)
        for key, task, j in (("a", done_task, job), ("b", open_task, other_job)):
            reminders.schedule(s, kind="test_task", item_id=task.id, every=dt.timedelta(days=1), times=5,
                               key=key, job_id=j.id, start=start)
        tasks.set_status(s, actor, done_task.id, "completed")
        jobs.archive_job(s, actor, other_job.id)
    with write_session() as s:
        assert reminders.send_due(s, KINDS, now=start + dt.timedelta(days=2)) == 0
        logs = sorted(reminders.told_log(d)[-1] for d in s.exec(select(Due)).all())
        assert logs == ["Stopped: the client completed it.", "Stopped: the job was archived."]
    assert SENT == []


def test_the_log_is_told_in_the_readers_language_and_old_entries_read_as_written(fresh_db):
    SENT.clear()
    start = dt.datetime(2027, 1, 4, 9, tzinfo=dt.timezone.utc)
    with write_session() as s:
        actor = actor_of(make_member(s, role="owner"))
        job = make_job(s, actor)
        task = tasks.create_task(s, actor, title="Sign 8879", job_id=job.id)
        due = reminders.schedule(s, kind="test_task", item_id=task.id, every=dt.timedelta(days=1), times=5,
                                 key="k", job_id=job.id, start=start)
        due.payload = {**due.payload, "log": ["Reminder 0 of 5: written before the words were kept"]}
    with write_session() as s, i18n.using_locale("fr"):  # the sweep runs in whatever language: the log keeps words
        reminders.send_due(s, KINDS, now=start + dt.timedelta(days=1))
        tasks.set_status(s, actor, task.id, "completed")
    with write_session() as s:
        reminders.send_due(s, KINDS, now=start + dt.timedelta(days=3))
        due = s.exec(select(Due)).one()
        assert reminders.told_log(due) == [
            "Reminder 0 of 5: written before the words were kept",
            f'Reminder 1 of 5: Reminded june@hartley.example to fill in "Task {task.id}"',
            "Stopped: the client completed it."]
        with i18n.using_locale("fr"):
            assert reminders.told_log(due) == [
                "Reminder 0 of 5: written before the words were kept",
                f"Relance 1 sur 5 : Rappel envoyé à june@hartley.example pour remplir « Task {task.id} »",
                "Arrêtée : le client l'a terminé."]
