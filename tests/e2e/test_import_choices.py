"""A CSV with a repeated email and an ambiguous account name: both rows are flagged in the preview, the
person answers each in the page, and the import creates exactly what they chose."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

CSV = ("Account name,Entity type,First name,Last name,Email\n"
       "Harbor Lights,LLC,Nia,Harbor,nia@harborlights.example\n"
       "Harbor Lights,Individual,Ned,Harbor,ned@harbor-home.example\n"
       "Tidewater Cafe,Company,Nia,Harbor,NIA@harborlights.example\n"
       "Quay Books,Company,Pat,Quay,pat.existing@quaybooks.example\n")


def accounts_with_people(names: list[str]) -> list[tuple[str, str, list[str]]]:
    """(name, type, contacts' emails) of the accounts with these names, in the order they were created."""
    from practice.db import read_session
    from practice.models import Account, AccountContact, Contact

    with read_session() as s:
        accounts = s.execute(select(Account).where(Account.name.in_(names)).order_by(Account.id)).scalars().all()
        return [(a.name, a.type.value, sorted(s.execute(
            select(Contact.email).join(AccountContact, AccountContact.contact_id == Contact.id)
            .where(AccountContact.account_id == a.id)).scalars())) for a in accounts]


def contacts_with_email(email: str) -> int:
    from sqlalchemy import func

    from practice.db import read_session
    from practice.models import Contact

    with read_session() as s:
        return s.execute(select(func.count()).select_from(Contact).where(func.lower(Contact.email) == email)).scalar_one()


@pytest.fixture
def existing_contact():
    """Pat Quay is already a client, at Quay Press."""
    from practice.db import write_session
    from practice.services.actor import SYSTEM
    from tests.factories import make_account, make_contact

    with write_session() as s:
        account = make_account(s, SYSTEM, name="Quay Press")
        make_contact(s, SYSTEM, [account.id], "Pat", "Quay", email="pat.existing@quaybooks.example")


def test_flagged_rows_import_exactly_what_the_person_chose(page, base_url, tmp_path, existing_contact):
    path = tmp_path / "harbor.csv"
    path.write_text(CSV)
    log_in(page, base_url)
    page.get_by_role("link", name="Import", exact=True).first.click()
    page.wait_for_url("**/import")
    page.locator("input[type=file]").set_input_files(str(path))

    # What the file means, before anything is saved: the entity types as read, and three questions.
    translations = page.locator("#value-translations")
    expect(translations).to_contain_text("LLC")
    expect(translations).to_contain_text("Company")
    name_flag, email_flag, existing_flag = (page.locator("#flag-3-account"), page.locator("#flag-4-email"),
                                            page.locator("#flag-5-email"))
    expect(name_flag).to_contain_text('the account name "Harbor Lights" is also on line 2')
    expect(email_flag).to_contain_text("nia@harborlights.example is also the email on line 2 (Nia Harbor)")
    expect(existing_flag).to_contain_text('already the email of Pat Quay (on "Quay Press")')
    # Flagged rows wait for an answer: the button counts only the one row that can go now.
    expect(page.locator("#run-import")).to_have_text("Import 1 row")
    expect(page.locator("#import-skipped-note")).to_have_text("Not imported: 3 rows waiting for your choice.")
    page.click("#run-import")
    expect(page.locator("#import-refusal")).to_contain_text("3 rows need your choice above")
    expect(page.locator("#import-refusal")).to_be_in_viewport()

    # Ned is another Harbor family, Nia runs the cafe too, and Pat's row is left out.
    name_flag.get_by_role("radio", name="A separate account").click()
    email_flag.get_by_role("radio", name="The same person as line 2 (one contact)").click()
    existing_flag.get_by_role("radio", name="Skip this row").click()
    expect(page.locator("#run-import")).to_have_text("Import 3 rows")
    expect(page.locator("#import-skipped-note")).to_have_text("Not imported: 1 row you chose to skip.")
    page.click("#run-import")
    expect(page.locator("#import-result")).to_contain_text("Imported 3 new accounts and 2 contacts.")
    expect(page.locator("#import-result")).to_contain_text("Skipped 1 row as you chose (line 5).")

    assert accounts_with_people(["Harbor Lights", "Tidewater Cafe", "Quay Books"]) == [
        ("Harbor Lights", "Company", ["nia@harborlights.example"]),
        ("Harbor Lights", "Individual", ["ned@harbor-home.example"]),
        ("Tidewater Cafe", "Company", ["nia@harborlights.example"])]
    assert contacts_with_email("nia@harborlights.example") == 1
    assert contacts_with_email("pat.existing@quaybooks.example") == 1


def test_the_questions_fit_a_phone(phone_page, base_url, tmp_path):
    path = tmp_path / "harbor-phone.csv"
    path.write_text(CSV.replace("Harbor", "Pier").replace("harbor", "pier").replace("Quay", "Dock")
                    .replace("quay", "dock"))
    log_in(phone_page, base_url)
    phone_page.click("#phone-menu")
    phone_page.get_by_role("menuitem", name="Import").click()
    phone_page.wait_for_url("**/import")
    phone_page.locator("input[type=file]").set_input_files(str(path))
    expect(phone_page.locator("#flag-3-account")).to_contain_text('"Pier Lights" is also on line 2')
    phone_page.locator("#flag-3-account").get_by_role("radio", name="A separate account").click()
    expect(phone_page.locator("#run-import")).to_have_text("Import 3 rows")
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
