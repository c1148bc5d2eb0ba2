"""The home's lines read as people say them: "Due today", "Overdue: due Nov 30", "asked 3 days ago", each linked."""
import datetime as dt

from practice.services.work.today import ClientActivity, TaskDue, Today, WaitingJob
from practice import i18n
from practice.state.home import activity_items, task_items, today_label, waiting_items

TODAY = dt.date(2026, 12, 3)


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def a_day(**changes) -> Today:
    fields = {"today": TODAY, "timezone": "America/New_York", "tasks": [], "waiting": [], "waiting_total": 0,
              "activity": []}
    return Today(**(fields | changes))


def test_tasks_say_due_today_or_since_when_they_are_overdue_and_link_to_the_task_and_its_job():
    view = a_day(tasks=[TaskDue(7, "File extension", dt.date(2025, 11, 30), True, "Hartley Household", 3, "", None),
                        TaskDue(8, "Call June", TODAY, False, "", None, "Hartley 1040", 12)])
    overdue, due = task_items(view)
    assert (overdue.due, overdue.href, overdue.account_href, overdue.job_href) == (
        "Overdue: due Nov 30, 2025", "/tasks?task=7", "/accounts/3", "")
    assert (due.due, due.job_href, due.account_href) == ("Due today", "/jobs/12", "")


def test_waiting_jobs_list_what_the_client_owes_and_since_when():
    view = a_day(waiting=[WaitingJob(12, "Hartley 1040", "Hartley Household", 3,
                                     ["2 client tasks", 'signature: "Engagement"'], now() - dt.timedelta(days=3))])
    (line,) = waiting_items(view)
    assert line.waiting_for == '2 client tasks, signature: "Engagement"'
    assert line.since == "asked 3 days ago" and line.job_href == "/jobs/12" and line.account_href == "/accounts/3"


def test_client_activity_links_to_its_job_or_else_its_account():
    view = a_day(activity=[ClientActivity(now() - dt.timedelta(hours=2), 'June uploaded "W-2.pdf"', "Hartley", 3, None),
                           ClientActivity(now(), "June signed", "Hartley", 3, 12)])
    upload, signed = activity_items(view)
    assert (upload.href, upload.when) == ("/accounts/3", "2 hours ago")
    assert (signed.href, signed.when) == ("/jobs/12", "just now")


def test_a_french_member_reads_the_same_lines_in_french():
    view = a_day(tasks=[TaskDue(7, "Prorogation", dt.date(2025, 11, 30), True, "Famille Martin", 3, "", None),
                        TaskDue(8, "Appeler June", TODAY, False, "", None, "IR 2026", 12)],
                 waiting=[WaitingJob(12, "IR 2026", "Famille Martin", 3, ["2 tâches client"],
                                     now() - dt.timedelta(days=3))])
    with i18n.using_locale("fr"):
        overdue, due = task_items(view)
        (line,) = waiting_items(view)
        label = today_label(TODAY)
    assert (overdue.due, due.due) == ("En retard : prévue le 30 nov. 2025", "À faire aujourd'hui")
    assert line.since == "demandé il y a 3 jours"
    assert label == "jeudi 3 déc." and today_label(TODAY) == "Thursday, Dec 3"
