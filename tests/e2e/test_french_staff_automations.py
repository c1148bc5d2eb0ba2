"""A French-speaking admin opens, from the menus, the staff pages the first French journeys left out: recurring
jobs, the run log and the rules editor, at desktop and phone sizes, and meets their sentences (a refused time, a saved job, its
removal) in French: no text of the English catalog on screen (issue 14). What the firm wrote (rule names, the
rules text, the rules language's own keywords) is shown as written."""
import pytest
from playwright.sync_api import expect
from sqlmodel import select

from practice import routes
from practice.db import read_session, write_session
from practice.models import Account, Job, Pipeline
from practice.services.actor import SYSTEM
from practice.services.automation import rulesets
from practice.services.work.pipelines import stages_of
from tests.e2e.conftest import DESKTOP, PHONE, log_in
from tests.e2e.visible_english import english_left, set_language

pytestmark = pytest.mark.e2e


@pytest.fixture
def ann_in_french(harness):
    """Ann reads French; the firm's rules are put back afterwards."""
    with read_session() as s:
        current = rulesets.current_ruleset(s)
        rules_before = current.text if current else ""
    set_language("ann@example.com", "fr")
    yield
    set_language("ann@example.com", "")
    with write_session() as s:
        rulesets.save_rules(s, SYSTEM, rules_before, note="restored after the French automations journey")


def open_from_menu(page, entry: str, tab_id: str | None = None) -> None:
    """Open `entry` from the sidebar (desktop) or the menu button (phone), then the area's tab `tab_id`."""
    if page.viewport_size["width"] < 768:
        page.click("#phone-menu")
        page.get_by_role("menuitem", name=entry, exact=True).click()
    else:
        page.get_by_role("link", name=entry, exact=True).first.click()
    if tab_id:
        page.click(tab_id)


def french_at_both_sizes(page, entry: str, tab_id: str | None, expected: str) -> None:
    """Opened from the menus at desktop then phone size, the page shows `expected` and no English."""
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        open_from_menu(page, entry, tab_id)
        expect(page.get_by_text(expected, exact=False).first).to_be_visible()
        assert english_left(page) == [], (page.url, size)
    page.set_viewport_size(DESKTOP)


def test_recurring_jobs_and_run_log_in_french(page, base_url, ann_in_french):
    log_in(page, base_url, "ann@example.com", "demo-staff-pass")
    french_at_both_sizes(page, "Automatisations", "#automations-nav-recurring", "Ajouter une mission récurrente")
    expect(page).to_have_title("Missions récurrentes · practice")  # the tab's title too

    page.fill("#recurring-name", "Paie mensuelle FR")
    page.fill("#recurring-job-name", "Paie {{ month }} {{ year }}")
    page.fill("#recurring-at", "25:00")
    expect(page.locator("#recurring-problems")).to_contain_text("« 25:00 » n'est pas une heure")
    assert english_left(page) == []
    page.fill("#recurring-at", "08:00")
    page.select_option("#recurring-accounts", "type")
    page.select_option("#recurring-due-unit", "weeks")
    expect(page.locator("#recurring-preview-dates li").first).to_be_visible()
    assert english_left(page) == []
    page.click("#recurring-save")
    item = page.locator(".recurring-item").filter(has_text="Paie mensuelle FR")
    expect(item).to_contain_text("Prochaines :")
    assert english_left(page) == []
    item.locator(".recurring-remove").click()
    expect(page.get_by_text("sera retirée des règles du cabinet", exact=False)).to_be_visible()
    assert english_left(page) == []
    page.click("#recurring-remove-confirm")
    expect(page.get_by_text("« Paie mensuelle FR » a été retirée des règles.")).to_be_visible()
    assert english_left(page) == []

    french_at_both_sizes(page, "Automatisations", "#automations-nav-runs", "Statut")
    expect(page).to_have_title("Journal d'exécution · practice")
    page.select_option("#runs-status", "failed")
    page.click("#runs-refresh")
    assert english_left(page) == []


def test_the_rules_editor_and_its_checker_in_french(page, base_url, ann_in_french):
    """The editor's labels, and the checker's sentences with their "did you mean", in French."""
    log_in(page, base_url, "ann@example.com", "demo-staff-pass")
    french_at_both_sizes(page, "Automatisations", "#automations-nav-rules", "Comment s'écrivent les règles")
    expect(page).to_have_title("Automatisations · practice")
    page.fill("#rules-text", 'rule "Essai FR"\nwhen job enters stage "Review" in pipeline "Bookeeping"\n'
                             "then\n  archive job\nend\n")
    expect(page.locator("#rules-errors")).to_contain_text("il n'y a pas de processus « Bookeeping »")
    expect(page.locator("#rules-errors")).to_contain_text("vouliez-vous dire « Bookkeeping » ?")
    assert english_left(page) == []
    page.set_viewport_size(PHONE)
    assert english_left(page) == []
    page.set_viewport_size(DESKTOP)

    # A syntax error: the parser knows no language, its sentence and hint are still French.
    page.fill("#rules-text", 'rule "Essai FR"\nwhen job is created thenarchive job end\n')
    expect(page.locator("#rules-errors")).to_contain_text('mettez une espace après "then" : then archive')
    assert english_left(page) == []

    # Tried on a real job: why the rule would not fire, in French.
    job, account, pipeline, current, other = a_job_and_another_stage()
    page.fill("#rules-text", f'rule "Essai FR"\nwhen job enters stage "{other}" in pipeline "{pipeline}"\n'
                             "then\n  archive job\nend\n")
    expect(page.locator("#rules-ok")).to_be_visible()
    page.fill("#try-job-search", account)
    page.locator(f'.try-job[data-job-id="{job}"]').click()
    page.select_option("#try-stage", current)
    page.click("#try-run")
    decision = page.locator('.try-decision[data-rule="Essai FR"]')
    expect(decision.locator(".decision-verdict")).to_have_text("ne se déclencherait pas")
    expect(decision.locator(".decision-reason")).to_have_text(f"l'étape est « {current} », pas « {other} »")
    expect(page.locator("#try-nothing-changed")).to_have_text("Rien n'a été modifié.")
    assert english_left(page) == []


def a_job_and_another_stage() -> tuple[int, str, str, str, str]:
    """A demo job with a stage, its account's name, pipeline, current stage and another stage of its pipeline."""
    with read_session() as s:
        for job in s.exec(select(Job).where(Job.archived == False, Job.stage_id.is_not(None))  # noqa: E712
                          .order_by(Job.id)):
            stages = stages_of(s, job.pipeline_id)
            current = next(st.name for st in stages if st.id == job.stage_id)
            other = next((st.name for st in stages if st.id != job.stage_id), None)
            if other:
                return job.id, s.get(Account, job.account_id).name, s.get(Pipeline, job.pipeline_id).name, current, other
    raise AssertionError("the demo firm has no job in a pipeline of two stages")


def test_an_employee_reads_why_the_run_log_and_rules_are_closed_in_french(page, base_url, harness):
    """The sentence an employee reads instead of an admin page, and its link home, in French."""
    set_language("bob@example.com", "fr")
    try:
        log_in(page, base_url, "bob@example.com", "demo-staff-pass")
        for route, expected in ((routes.RUNS, "Seuls"), (routes.RULES, "Seuls")):
            page.goto(base_url + route)
            expect(page.get_by_text("Retour à l'accueil", exact=False).first).to_be_visible()
            expect(page.get_by_text(expected, exact=False).first).to_be_visible()
            assert english_left(page) == [], route
    finally:
        set_language("bob@example.com", "")
