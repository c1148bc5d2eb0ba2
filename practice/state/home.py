"""Home: what needs me today (my tasks due and overdue, jobs waiting on the client, recent client activity)."""
from __future__ import annotations

import dataclasses
import datetime as dt

from babel.dates import format_date as format_date_babel

from practice import routes
from practice.i18n import _, babel_locale
from practice.services.formatting import format_date, format_datetime, relative_time
from practice.services.work import tasks, today
from practice.state.base import STAFF, AppState, allow, read, shown_in


@dataclasses.dataclass
class HomeTask:
    id: int = 0
    title: str = ""
    href: str = ""
    due: str = ""
    overdue: bool = False
    job: str = ""
    job_href: str = ""
    account: str = ""
    account_href: str = ""


@dataclasses.dataclass
class HomeWaiting:
    job: str = ""
    job_href: str = ""
    account: str = ""
    account_href: str = ""
    waiting_for: str = ""
    since: str = ""


@dataclasses.dataclass
class HomeActivity:
    text: str = ""
    href: str = ""
    account: str = ""
    when: str = ""
    exact: str = ""


def task_items(view: today.Today) -> list[HomeTask]:
    return [HomeTask(id=t.id, title=t.title, href=routes.task_url(t.id), overdue=t.overdue,
                     due=_("Overdue: due {date}").format(date=format_date(t.due_date, today=view.today)) if t.overdue
                     else _("Due today"),
                     job=t.job, job_href=routes.job_url(t.job_id) if t.job_id else "",
                     account=t.account, account_href=routes.account_url(t.account_id) if t.account_id else "")
            for t in view.tasks]


def waiting_items(view: today.Today) -> list[HomeWaiting]:
    return [HomeWaiting(job=w.job, job_href=routes.job_url(w.job_id) if w.job_id else "", account=w.account,
                        account_href=routes.account_url(w.account_id), waiting_for=", ".join(w.waiting_for),
                        since=_("asked {when}").format(when=relative_time(w.since, view.timezone)) if w.since else "")
            for w in view.waiting]


def activity_items(view: today.Today) -> list[HomeActivity]:
    return [HomeActivity(text=a.text, account=a.account, when=relative_time(a.at, view.timezone),
                         exact=format_datetime(a.at, view.timezone),
                         href=routes.job_url(a.job_id) if a.job_id else routes.account_url(a.account_id))
            for a in view.activity]


def today_label(day: dt.date) -> str:
    """"Thursday, Dec 3" / "jeudi 3 déc." """
    weekday = format_date_babel(day, "EEEE", locale=babel_locale())
    if babel_locale().startswith("en"):
        return f"{weekday}, {format_date(day, today=day)}"
    return f"{weekday} {format_date(day, today=day)}"


class HomeState(AppState):
    open_tasks: int = 0
    today_label: str = ""
    tasks: list[HomeTask] = []
    overdue: int = 0
    waiting: list[HomeWaiting] = []
    waiting_more: int = 0
    activity: list[HomeActivity] = []
    loaded: bool = False
    error: str = ""

    @allow(STAFF)
    def load(self):
        actor = self._require()
        self.error = ""
        with shown_in(self, "error"):
            view = read(today.today_for, actor)
            self.open_tasks = read(tasks.count_open_tasks, actor)
            self.today_label = today_label(view.today)
            self.tasks, self.waiting, self.activity = task_items(view), waiting_items(view), activity_items(view)
            self.overdue = sum(1 for t in view.tasks if t.overdue)
            self.waiting_more = view.waiting_total - len(view.waiting)
        self.loaded = True
