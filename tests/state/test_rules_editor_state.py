"""The rules editor's and the job history's states without a browser: checks, refusals, versions, dry runs, junk."""
import asyncio

import pytest
from sqlmodel import func, select

from practice.db import read_session, write_session
from practice.models import JobTag, OutgoingMail, RuleRun, RuleSet, Task
from practice.services.mail import templates as mail_templates
from practice.services.automation import rulesets
from practice.services.work import accounts, jobs
from practice.services.work.pipelines import stages_of
from practice.state.job import JobState
from practice.state.rules_editor import MAX_TEXT, TOO_LONG, DiffRow, RulesEditorState, diff_rows, jump_script
from tests.factories import make_firm, make_household, make_pipeline, make_tag

STAGES = ("Onboarding", "Preparation", "Review", "Done")
RULES = '''# checked in the state tests
rule "Review checklist"
when job enters stage "Review" in pipeline "1040 Return"
if account.type is "Individual"
then
  create task "Review {{ account.name }}"
  add tag "Needs review" to job
  send email "Welcome" to account
end
'''
TYPO = RULES.replace('"Review" in', '"Reveiw" in')


def hartley_with_a_job_in_the_editor(monkeypatch):
    with write_session() as s:
        staff = make_firm(s, employees={"employee": {"name": "Bob Stone", "can_view_all_accounts": True}})
        owner = staff["owner"]
        pipeline = make_pipeline(s, owner, name="1040 Return", stages=STAGES)
        make_tag(s, owner, "Needs review")
        account, _ = make_household(s, owner, "Hartley Household", "Hartley", ("June",), invite=False)
        mail_templates.save_template(s, owner, name="Welcome", subject="Welcome, {{ account.name }}",
                           body="Dear {{ contact.first_name }}, we started {{ job.name }}.")
        job = jobs.create_job(s, owner, account_id=account.id, pipeline_id=pipeline.id, name="1040 2026")
        stage_ids = {st.name: st.id for st in stages_of(s, pipeline.id)}
    who = {"actor": owner}
    for cls in (RulesEditorState, JobState):
        monkeypatch.setattr(cls, "_actor", lambda self: who["actor"])
    return {**staff, "who": who, "job_id": job.id, "stages": stage_ids}


pytestmark = pytest.mark.firm(build=hartley_with_a_job_in_the_editor)


def editor() -> RulesEditorState:
    state = RulesEditorState()
    state.load()
    return state


def footprint(job_id: int) -> tuple:
    with read_session() as s:
        return tuple(s.exec(select(func.count()).select_from(model)).one()
                     for model in (Task, JobTag, OutgoingMail, RuleRun, RuleSet))


def test_a_typo_is_listed_with_its_place_and_hint_and_saving_is_refused_keeping_the_draft(firm):
    state = editor()
    assert state.allowed and state.draft == "" and state.version == 0
    asyncio.run(state.set_draft(TYPO))
    (err,) = state.errors
    assert (err.where, err.line, err.column) == ("3:23", 3, 23)
    assert 'no stage "Reveiw"' in err.message and err.hint == 'did you mean "Review"?'
    assert state.dirty and state.line_numbers.splitlines()[-1] == "10"
    state.save({"note": "first try"})
    assert "nothing was saved" in state.save_error and len(state.errors) == 1
    assert state.draft == TYPO
    with read_session() as s:
        assert rulesets.current_ruleset(s) is None


def test_saving_versions_diffing_and_restoring(firm):
    state = editor()
    asyncio.run(state.set_draft(RULES))
    assert state.errors == []
    state.save({"note": "review checklist"})
    first = state.version
    assert state.saved_sentence == f"Saved version {first}." and not state.dirty and state.warnings == []
    asyncio.run(state.set_draft(RULES.replace('"Individual"', '"Company"')))
    state.save({"note": ["junk"]})
    second = state.version
    assert second > first and [v.id for v in state.versions] == [second, first]
    assert state.versions[0].newest and state.versions[1].note == "review checklist"
    state.save({})
    assert state.saved_sentence == f"No changes since version {second}, so nothing new was saved."

    state.show_diff(second)
    assert state.diff_open and (state.diff_old, state.diff_new) == (f"Version {first}", f"Version {second}")
    assert DiffRow("changed", "4", 'if account.type is "Individual"', "4", 'if account.type is "Company"') in state.diff
    state.set_diff_open(False)
    assert not state.diff_open and state.chosen_version == 0
    state.show_diff(first)
    assert state.diff_title.startswith(f"Version {first} is the first version")
    assert {d.kind for d in state.diff} == {"added"}

    state.ask_restore(first)
    assert state.restore_open and not state.diff_open and state.restore_old == f"Version {second} (saved now)"
    assert DiffRow("changed", "4", 'if account.type is "Company"', "4", 'if account.type is "Individual"') in \
        state.restore_diff
    state.confirm_restore()
    assert state.saved_sentence.startswith(f"Restored version {first} as version ")
    assert state.draft == RULES and not state.restore_open
    with read_session() as s:
        assert rulesets.current_ruleset(s).text == RULES


def test_an_unsaved_draft_survives_coming_back_to_the_page(firm):
    state = editor()
    asyncio.run(state.set_draft(TYPO))
    state.load()
    assert state.draft == TYPO and state.dirty and len(state.errors) == 1
    asyncio.run(state.discard_changes())
    assert state.draft == "" and not state.dirty and state.errors == []


def test_trying_on_a_job_shows_why_and_changes_nothing(firm):
    state = editor()
    asyncio.run(state.set_draft(RULES))
    state.search_jobs("Hartley")
    assert [o.value for o in state.job_matches] == [str(firm["job_id"])]
    state.choose_job(str(firm["job_id"]))
    assert state.stage_choices == list(STAGES)
    state.set_try_stage("Review")
    before = footprint(firm["job_id"])
    state.try_on_job()
    assert footprint(firm["job_id"]) == before
    (decision,) = state.decisions
    assert decision.fired and decision.parts[0].result and decision.parts[0].reads == "account.type = Individual"
    email = next(a for a in decision.actions if a.is_email)
    assert "Subject: Welcome, Hartley Household" in email.outcome and "To: june@hartley.example" in email.outcome
    assert state.try_done and state.try_event_label == 'enters the stage "Review"'

    # Another stage: the rule would not fire, and says so.
    state.set_try_stage("Done")
    state.try_on_job()
    assert not state.decisions[0].fired and state.decisions[0].reason
    # A draft with errors is not run.
    asyncio.run(state.set_draft(TYPO))
    state.try_on_job()
    assert state.decisions == [] and len(state.try_errors) == 1
    assert footprint(firm["job_id"]) == before


def test_junk_from_the_browser_is_coerced_or_ignored(firm):
    state = editor()
    assert "not understood" in repr(state.jump_to("three", None))  # refused by `allow` with its sentence
    assert state.jump_to("3", 23) is not None
    asyncio.run(state.set_draft(None))
    assert state.draft == "" and state.errors == []
    asyncio.run(state.set_draft("# " + "x" * (MAX_TEXT + 10)))
    assert len(state.draft) == MAX_TEXT and state.text_error == TOO_LONG
    asyncio.run(state.set_draft(""))
    assert state.text_error == ""
    asyncio.run(state.insert_example("99"))
    asyncio.run(state.insert_example({"i": 1}))
    assert state.draft == ""
    asyncio.run(state.insert_example(0))
    assert 'rule "Welcome new clients"' in state.draft
    state.choose_job("999999")
    assert state.try_job_id == ""
    state.set_try_event("drop table")
    assert state.try_event == "job_entered_stage"
    state.set_try_tag("Not a tag")
    assert state.try_tag == ""
    state.try_on_job()
    assert state.try_error == "Choose a job to try the rules on."
    state.show_diff("x")
    state.ask_restore(None)
    assert not state.restore_open
    state.set_restore_open(True)
    assert not state.restore_open


def test_the_jump_script_and_the_diff_are_plain():
    script = jump_script(3, 23)
    assert "const L = 3, C = 23" in script and "setSelectionRange" in script
    assert diff_rows("a\nb\n", "a\nc\n", "same") == [DiffRow("same", "1", "a", "1", "a"),
                                                     DiffRow("changed", "2", "b", "2", "c")]
    assert diff_rows("a", "a", "No differences.") == [DiffRow(kind="note", old="No differences.")]


def test_employees_get_the_sentence_and_no_rules(firm):
    firm["who"]["actor"] = firm["employee"]
    state = RulesEditorState()
    state.load()
    assert not state.allowed and state.draft == ""
    asyncio.run(state.set_draft(RULES))  # refused by @allow(ADMIN): nothing happens
    assert state.draft == ""


def test_the_job_page_lists_runs_with_their_trace_and_admins_may_retry_failures(firm):
    with write_session() as s:
        rulesets.save_rules(s, firm["owner"], RULES)
    with write_session() as s:
        contact = s.exec(select(accounts.Contact)).one()
        contact.email = ""
    with write_session() as s:
        jobs.move_job(s, firm["owner"], firm["job_id"], firm["stages"]["Review"])
    page = JobState()
    page.jid = firm["job_id"]
    page._refresh()
    (run,) = [r for r in page.runs if r.rule == "Review checklist"]
    assert run.status == "failed" and run.can_retry and "no contact with an email address" in run.reason
    assert run.trigger == "job entered stage" and run.parts[0].reads == "account.type = Individual"
    assert [a.status for a in run.actions] == ["done", "done", "failed"]

    firm["who"]["actor"] = firm["employee"]
    page._refresh()
    assert not page.runs[0].can_retry
    page.retry_run(run.id)  # refused for employees
    firm["who"]["actor"] = firm["owner"]
    with write_session() as s:
        s.exec(select(accounts.Contact)).one().email = "june@hartley.example"
    page.retry_run(str(run.id))
    (run,) = [r for r in page.runs if r.rule == "Review checklist"]
    assert run.status == "done" and run.reason == "Every action ran."
    page.retry_run("nonsense")
