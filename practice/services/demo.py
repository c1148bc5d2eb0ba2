"""The demo firm (loaded on first start) and a generator of large firms for benchmarks."""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, select
from sqlmodel import Session

from practice.db import insert_many, refresh_statistics
from practice.models import (Account, AccountContact, AccountTag, AccountType, Contact, Job, JobAssignee, JobTag,
                             Pipeline, Priority, Service, Stage, Tag, TeamMember, drop_board_counts,
                             install_board_counts, utcnow)
from practice.services import firm
from practice.services.access import team
from practice.services.access.auth import hash_password
from practice.services.actor import Actor
from practice.services.documents import doc_templates
from practice.services.proposals import templates as proposal_templates
from practice.services.work import accounts, catalog, jobs, pipelines, tags, tasks

OWNER_EMAIL = "owner@example.com"
OWNER_PASSWORD = "demo-owner-pass"
PIPELINES = {
    "1040 Return": ["Onboarding", "Waiting for info", "Preparation", "Review", "Filed", "Done"],
    "Bookkeeping": ["Waiting for statements", "Categorizing", "Reconciliation", "Review", "Done"],
    "Payroll": ["Collect hours", "Run payroll", "Approve", "Filed", "Done"],
}
TAGS = {"VIP": "#b45309", "Returning": "#15803d", "New client": "#1d4ed8", "Payroll": "#7c3aed",
        "Overdue": "#dc2626", "Extension": "#0e7490", "Bookkeeping": "#4d7c0f"}
FIRST = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
         "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Carlos", "Karen",
         "Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Betty", "Mark", "Sandra", "Priya", "Ashley"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
        "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
        "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Nguyen"]
COMPANY = ["Bakery", "Landscaping", "Dental Group", "Consulting LLC", "Auto Repair", "Design Studio",
           "Coffee Roasters", "Plumbing Inc", "Family Farm", "Yoga Studio"]


def has_data(session: Session) -> bool:
    return session.execute(select(func.count()).select_from(TeamMember)).scalar_one() > 0


def load_demo(session: Session, *, seed: int = 7, n_accounts: int = 50) -> dict:
    """A firm that looks real: team, pipelines, tagged accounts with contacts, jobs over stages, tasks."""
    rnd = random.Random(seed)
    f = firm.get_firm(session)
    f.name, f.timezone = "Park & Lee CPAs", "America/New_York"
    owner = TeamMember(name="Olivia Park", email=OWNER_EMAIL, role="owner", password_hash=hash_password(OWNER_PASSWORD),
                       can_view_all_accounts=True)
    session.add(owner)
    session.flush()
    actor = Actor.of(owner)
    staff = [owner]
    for name, email, role in [("Ann Lee", "ann@example.com", "admin"), ("Bob Stone", "bob@example.com", "employee"),
                              ("Carla Diaz", "carla@example.com", "employee")]:
        staff.append(team.add_member(session, actor, name=name, email=email, password="demo-staff-pass", role=role,
                                     can_view_all_accounts=(name == "Bob Stone")))
    tag_rows = {name: tags.create_tag(session, actor, name=name, color=color) for name, color in TAGS.items()}
    for name, rate in [("1040 preparation", 45000), ("Monthly bookkeeping", 30000), ("Payroll (per run)", 15000),
                       ("Tax planning (hour)", 20000), ("Extension filing", 7500)]:
        catalog.create_service(session, actor, name=name, rate_cents=rate)
    _demo_signing_templates(session, actor)
    pipes = {name: pipelines.create_pipeline(session, actor, name=name, stages=stages) for name, stages in PIPELINES.items()}
    stage_ids = {name: [s.id for s in pipelines.stages_of(session, p.id)] for name, p in pipes.items()}
    today = dt.date.today()
    for i in range(n_accounts):
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        kind = rnd.choices(list(AccountType), weights=[55, 15, 22, 4, 4])[0]
        if kind in (AccountType.company, AccountType.nonprofit):
            name = f"{last} {rnd.choice(COMPANY)}"
        elif kind == AccountType.family:
            name = f"The {last} Family"
        elif kind == AccountType.trust:
            name = f"{first} {last} Trust"
        else:
            name = f"{first} {last}"
        account = accounts.create_account(session, actor, name=name, type=kind.value,
                                          notes=rnd.choice(["", "Prefers phone calls.", "Send reminders early.",
                                                            "Referred by a friend.", ""]))
        accounts.create_contact(session, actor, account_ids=[account.id], first_name=first, last_name=last,
                                email=f"{first}.{last}{i}@example.net".lower(), phone=f"555-01{i:02d}",
                                city=rnd.choice(["Boston", "Austin", "Denver", "Seattle"]))
        if kind == AccountType.family:
            accounts.create_contact(session, actor, account_ids=[account.id], first_name=rnd.choice(FIRST),
                                    last_name=last, email=f"spouse.{last}{i}@example.net".lower())
        for tname in rnd.sample(list(TAGS), k=rnd.choice([0, 1, 1, 2])):
            if tname != "Overdue":
                tags.set_tag(session, actor, "account", account.id, tag_rows[tname].id, True)
        for pname in rnd.sample(list(PIPELINES), k=rnd.choice([1, 1, 2])):
            stage_id = rnd.choice(stage_ids[pname][:-1])
            job = jobs.create_job(session, actor, account_id=account.id, pipeline_id=pipes[pname].id,
                                  name=f"{pname} {today.year}" if pname != "Payroll" else f"Payroll {today:%B}",
                                  stage_id=stage_id, assignee_ids=[rnd.choice(staff).id],
                                  due_date=today + dt.timedelta(days=rnd.randint(-10, 90)),
                                  priority=rnd.choice(list(Priority)).value)
            if rnd.random() < 0.4:
                tasks.create_task(session, actor, title=rnd.choice(["Call client about missing W-2",
                                  "Review prior-year return", "Reconcile bank statements", "Send engagement letter",
                                  "Check estimated payments"]), job_id=job.id, assignee_id=rnd.choice(staff).id,
                                  due_date=today + dt.timedelta(days=rnd.randint(-3, 20)))
    return {"email": OWNER_EMAIL, "password": OWNER_PASSWORD}


ENGAGEMENT_LETTER = """<h1>Engagement letter {{ today.year }}</h1>
<p>{{ firm.name }} and {{ account.name }} agree on the following.</p>
<h2>What we will do</h2>
<p>We will prepare your federal and state income tax returns for the year from the information you give
us. We will not audit or verify that information, but we may ask you to clarify it.</p>
<h2>What you will do</h2>
<p>You will give us complete and accurate information in time, keep the records that support your
returns, and review the returns before you sign them.</p>
<h2>Fees</h2>
<p>Our fees are based on the time the work takes and are due when the returns are delivered.</p>
<table style="margin-top: 36pt">
  <tr><td style="width: 60%">Signature<br><span id="sign-1-signature" style="display: inline-block; width: 220px;
      height: 48px"></span></td>
      <td>Date<br><span id="sign-1-date" style="display: inline-block; width: 120px; height: 24px"></span></td></tr>
</table>
"""

FORM_8879 = """<h1>IRS e-file signature authorization (Form 8879) for {{ account.name }}</h1>
<p>Under penalties of perjury, I declare that I have examined a copy of my electronic individual income tax
return and accompanying schedules and statements, and to the best of my knowledge and belief, they are true,
correct and complete. I authorize {{ firm.name }} to enter or generate my PIN as my signature on the return.</p>
<table style="margin-top: 36pt">
  <tr><td>Taxpayer<br><span id="sign-1-signature" style="display: inline-block; width: 220px; height: 48px"></span></td>
      <td>Date<br><span id="sign-1-date" style="display: inline-block; width: 120px; height: 24px"></span></td></tr>
  <tr><td>Spouse (if filing jointly)<br><span id="sign-2-signature" style="display: inline-block; width: 220px;
      height: 48px"></span></td>
      <td>Date<br><span id="sign-2-date" style="display: inline-block; width: 120px; height: 24px"></span></td></tr>
</table>
"""


def _demo_signing_templates(session: Session, actor: Actor) -> None:
    """Two document templates to sign and an engagement proposal built from the catalog."""
    doc_templates.save_template(session, actor, name="Engagement letter", body=ENGAGEMENT_LETTER)
    doc_templates.save_template(session, actor, name="Form 8879 authorization", body=FORM_8879)
    by_name = dict(session.execute(select(Service.name, Service.id)).all())
    proposal_templates.save_template(
        session, actor, name="Engagement 2027",
        introduction="Dear {{ account.name }},\n\nThank you for choosing {{ firm.name }}. Here is what we "
                     "propose for the coming year.",
        terms="Fees are due within 30 days of each invoice. Either side may end this engagement with 30 days' "
              "written notice. {{ firm.name }} keeps your records confidential.",
        lines=[{"service_id": by_name["1040 preparation"]},
               {"service_id": by_name["Tax planning (hour)"], "quantity": 2},
               {"service_id": by_name["Extension filing"], "optional": True}])


def generate_large(session: Session, *, n_accounts: int = 5000, n_jobs: int = 50000, pipeline_name: str = "Big Pipeline",
                   n_stages: int = 10, seed: int = 1) -> int:
    """Bulk-create accounts, contacts and jobs, one executemany per table (`insert_many`; benchmarks, load tests).
    Returns the pipeline id."""
    rnd = random.Random(seed)
    now = utcnow()
    # Tens of thousands of rows: count them once at the end rather than row by row in the triggers (the
    # write transaction keeps every other writer out meanwhile, so no change goes uncounted).
    conn = session.connection()
    drop_board_counts(conn)
    pipeline = Pipeline(name=pipeline_name)
    session.add(pipeline)
    session.flush()
    insert_many(conn, Stage.__table__, [{"pipeline_id": pipeline.id, "name": f"Stage {i + 1}", "position": i}
                                        for i in range(n_stages)])
    stage_ids = list(session.execute(select(Stage.id).where(Stage.pipeline_id == pipeline.id)
                                     .order_by(Stage.position)).scalars())
    first_account = (session.execute(select(func.max(Account.id))).scalar() or 0) + 1
    insert_many(conn, Account.__table__, [{"name": f"{rnd.choice(FIRST)} {rnd.choice(LAST)} {i}", "type": "Individual",
                                           "notes": "", "archived": False, "created_at": now} for i in range(n_accounts)])
    first_contact = (session.execute(select(func.max(Contact.id))).scalar() or 0) + 1
    insert_many(conn, Contact.__table__, [{"first_name": rnd.choice(FIRST), "last_name": rnd.choice(LAST),
                                           "email": f"c{i}@example.org", "created_at": now} for i in range(n_accounts)])
    insert_many(conn, AccountContact.__table__, [{"account_id": first_account + i, "contact_id": first_contact + i}
                                                  for i in range(n_accounts)])
    members = list(session.execute(select(TeamMember.id)).scalars())
    tag_ids = list(session.execute(select(Tag.id)).scalars())
    first_job = (session.execute(select(func.max(Job.id))).scalar() or 0) + 1
    today = dt.date.today()
    insert_many(conn, Job.__table__, [{
        "account_id": first_account + rnd.randrange(n_accounts), "pipeline_id": pipeline.id,
        "stage_id": rnd.choice(stage_ids), "name": f"Job {i}", "priority": "Medium", "archived": False,
        "due_date": today + dt.timedelta(days=rnd.randint(-30, 120)), "created_at": now, "entered_stage_at": now,
        "version": 1} for i in range(n_jobs)])
    if members:
        insert_many(conn, JobAssignee.__table__, [{"job_id": first_job + i, "member_id": rnd.choice(members)}
                                                  for i in range(n_jobs)])
    if tag_ids:
        insert_many(conn, JobTag.__table__, [{"job_id": first_job + i, "tag_id": rnd.choice(tag_ids)}
                                             for i in range(0, n_jobs, 3)])
    insert_many(conn, AccountTag.__table__, [{"account_id": first_account + i, "tag_id": rnd.choice(tag_ids)}
                                             for i in range(0, n_accounts, 4)] if tag_ids else [])
    install_board_counts(conn)
    refresh_statistics(conn)  # statistics of an empty database would mislead the planner
    return pipeline.id


def ensure_demo(session: Session) -> dict | None:
    """Load the demo firm when the database has nobody in it; returns the owner's login if it did."""
    if has_data(session):
        return None
    login = load_demo(session)
    refresh_statistics(session.connection())
    return login
