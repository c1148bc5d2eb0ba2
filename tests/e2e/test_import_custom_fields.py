"""A firm imports its clients with their filing status: one column is named like the firm's field and maps itself,
another is chosen in the column's list, a status not in the list is told on its row, and the account page shows the
imported value."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

CSV = ("Account name,Tax status,Dependents,First name,Last name\n"
       "Lindqvist Household,mfj,2,Sara,Lindqvist\n"
       "Moreau Household,Married filing jointly,1,Luc,Moreau\n")


@pytest.fixture
def firm_fields():
    from practice.db import write_session
    from practice.models import CustomField
    from practice.services.actor import SYSTEM
    from practice.services.work import custom_fields

    with write_session() as s:  # each test starts with the two fields new (the e2e database is shared)
        for field in s.execute(select(CustomField).where(CustomField.label.in_(["Filing status", "Dependents"]),
                                                         CustomField.entity.in_(["account", "contact"]))).scalars().all():
            custom_fields.delete_field(s, SYSTEM, field.id)
    with write_session() as s:
        status = custom_fields.define_field(s, SYSTEM, entity="account", label="Filing status", type="choice",
                                            options=["Single", "MFJ", "MFS", "HOH"])
        custom_fields.define_field(s, SYSTEM, entity="contact", label="Dependents", type="number")
        return status.id


def account_id(name: str) -> int:
    from practice.db import read_session
    from practice.models import Account

    with read_session() as s:
        return s.execute(select(Account.id).where(Account.name == name)).scalar_one()


def test_a_column_chosen_for_a_custom_field_fills_it_and_a_bad_value_is_told_on_its_row(page, base_url, tmp_path,
                                                                                        firm_fields):
    path = tmp_path / "statuses.csv"
    path.write_text(CSV)
    log_in(page, base_url)
    page.get_by_role("link", name="Import", exact=True).first.click()
    page.wait_for_url("**/import")
    page.locator("input[type=file]").set_input_files(str(path))
    expect(page.locator("#import-summary")).to_contain_text("2 of 2 rows can be imported")

    # "Dependents" is the contact field's label: mapped by itself. "Tax status" is chosen for Filing status.
    expect(page.get_by_role("combobox", name="Field for column Dependents")).to_contain_text(
        "Dependents (contact field)")
    page.get_by_role("combobox", name="Field for column Tax status").click()
    page.get_by_role("option", name="Filing status (account field)").click()
    errors = page.locator("#row-errors")
    expect(errors).to_contain_text("Line 3: “Filing status” is one of: Single, MFJ, MFS, HOH. "
                                   "“Married filing jointly” is not one of them.")
    # How "mfj" is read is shown before anything is written.
    expect(page.locator("#value-translations")).to_contain_text("MFJ")
    expect(page.locator("#run-import")).to_have_text("Import 1 row")

    page.click("#skip-bad-rows")
    page.click("#run-import")
    result = page.locator("#import-result")
    expect(result).to_contain_text("Imported 1 new account and 1 contact.")
    expect(result).to_contain_text("Filled 2 custom field values.")
    expect(result).to_contain_text("Skipped 1 row with errors (line 3).")

    page.goto(f"{base_url}/accounts/{account_id('Lindqvist Household')}")
    expect(page.locator(f"#cf-field-{firm_fields}")).to_have_value("MFJ")


def contact_values(email: str) -> list[tuple[str, str]]:
    """(field label, value) of the custom fields of the contact with this email."""
    from practice.db import read_session
    from practice.models import Contact, CustomField, CustomValue

    with read_session() as s:
        contact_id = s.execute(select(Contact.id).where(Contact.email == email)).scalar_one()
        return sorted(s.execute(select(CustomField.label, CustomValue.value)
                                .join(CustomValue, CustomValue.field_id == CustomField.id)
                                .where(CustomField.entity == "contact", CustomValue.item_id == contact_id)).all())


def test_a_row_linked_to_an_existing_contact_fills_its_empty_field(page, base_url, tmp_path, firm_fields):
    """Rui Costa is already a client with no Dependents; the file has his email and 3: linked, he gets 3, and the
    preview and the result say so."""
    from practice.db import write_session
    from practice.services.actor import SYSTEM
    from tests.factories import make_account, make_contact

    with write_session() as s:
        account = make_account(s, SYSTEM, name="Costa Bakery")
        make_contact(s, SYSTEM, [account.id], "Rui", "Costa", email="rui@costa-bakery.example")
    path = tmp_path / "costa.csv"
    path.write_text("Account name,First name,Last name,Email,Dependents\n"
                    "Costa Household,Rui,Costa,rui@costa-bakery.example,3\n")
    log_in(page, base_url)
    page.get_by_role("link", name="Import", exact=True).first.click()
    page.wait_for_url("**/import")
    page.locator("input[type=file]").set_input_files(str(path))
    flag = page.locator("#flag-2-email")
    expect(flag).to_contain_text("rui@costa-bakery.example is already the email of Rui Costa")
    flag.get_by_role("radio", name="Link Rui Costa to this account (their details stay).").click()
    expect(page.locator("#import-summary")).to_contain_text(
        "1 linked existing contact gets the file's values in the fields they have empty.")
    page.click("#run-import")
    result = page.locator("#import-result")
    expect(result).to_contain_text("Linked 1 existing contact.")
    expect(result).to_contain_text("Filled empty fields of 1 existing contact.")
    assert contact_values("rui@costa-bakery.example") == [("Dependents", "3")]
