"""Importing a firm's client list from another system's CSV export."""
from pathlib import Path

import pytest
from sqlalchemy import func, select

from practice.db import read_session, write_session
from practice.models import Account, AccountContact, AccountTag, AccountTeam, AuditLog, Contact, Tag
from practice.services.work import accounts, csv_file, csv_import, csv_plan
from practice.services.errors import InvalidInput
from tests.factories import actor_of, make_account, make_member, make_tag

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture
def owner(fresh_db):
    with write_session() as s:
        return actor_of(make_member(s, role="owner", name="Olivia"))


@pytest.fixture
def employee(fresh_db):
    with write_session() as s:
        return actor_of(make_member(s, role="employee", name="Bob"))


def run_import(actor, data: bytes, **kwargs):
    with write_session() as s:
        return csv_import.import_rows(s, actor, data, **kwargs)


def count(model) -> int:
    with read_session() as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def contacts_by_account() -> dict[str, list[str]]:
    with read_session() as s:
        rows = s.execute(select(Account.name, Contact.first_name).join(AccountContact, AccountContact.account_id == Account.id)
                         .join(Contact, Contact.id == AccountContact.contact_id).order_by(Contact.first_name)).all()
    out: dict[str, list[str]] = {}
    for account, first in rows:
        out.setdefault(account, []).append(first)
    return out


# --- reading the file ----------------------------------------------------------------------


def test_preview_maps_a_taxdome_export_and_lists_the_columns_it_ignores():
    pv = csv_file.preview((DATA / "clients_taxdome.csv").read_bytes())
    assert pv.row_count == 5
    assert pv.delimiter == ","
    assert {k: pv.columns[i] for k, i in pv.mapping.items()} == {
        "account_name": "Account name", "account_type": "Account type", "tags": "Tags", "first_name": "First name",
        "last_name": "Last name", "email": "Email", "phone": "Phone", "street": "Street", "city": "City",
        "region": "State", "postal_code": "ZIP", "country": "Country", "notes": "Notes"}
    assert pv.unknown_columns == ["Portal access"]
    assert pv.first_rows[3][0] == "Okafor, Chidi"
    assert pv.encoding_note == ""


def test_preview_reads_a_utf8_bom_file_with_semicolons_and_aliases():
    pv = csv_file.preview((DATA / "clients_semicolon_bom.csv").read_bytes())
    assert pv.delimiter == ";"
    assert pv.columns[0] == "Client name"  # the BOM is not part of the first column's name
    assert set(pv.mapping) == {"account_name", "account_type", "first_name", "last_name", "email", "postal_code",
                               "tags"}
    assert pv.first_rows[0][0] == "Müller GmbH"


def test_tab_separated_file_is_read():
    pv = csv_file.preview(b"Company\tFirst Name\tSurname\nAcme\tAl\tBee\n")
    assert pv.delimiter == "\t"
    assert pv.mapping == {"account_name": 0, "first_name": 1, "last_name": 2}


def test_a_file_that_is_not_utf8_is_read_as_windows_1252_with_a_sentence():
    pv = csv_file.preview("Account name,First name\nCafé Noël,José\n".encode("cp1252"))
    assert pv.first_rows[0] == ["Café Noël", "José"]
    assert "Windows-1252" in pv.encoding_note


def test_blank_lines_are_skipped_and_line_numbers_match_the_file():
    data = b'Account name,Email,Notes\n\nGood Co,a@good.example,"two\nlines"\nBad Co,not-an-email,\n'
    rows = csv_file.rows_of(data)
    assert [line for line, _ in rows] == [3, 5]
    errors = csv_file.validate(rows, csv_file.preview(data).mapping)
    assert [(e.line, e.message) for e in errors] == [(5, 'Line 5: "not-an-email" is not an email address.')]


def test_files_over_the_size_or_row_limit_are_refused_with_a_sentence(monkeypatch):
    monkeypatch.setattr(csv_file, "MAX_BYTES", 100)
    with pytest.raises(InvalidInput, match="the limit for one import"):
        csv_file.preview(b"Account name\n" + b"Acme\n" * 30)
    monkeypatch.setattr(csv_file, "MAX_BYTES", 10_000)
    monkeypatch.setattr(csv_file, "MAX_ROWS", 5)
    with pytest.raises(InvalidInput, match="more than 5 rows"):
        csv_file.preview(b"Account name\n" + b"Acme\n" * 6)


def test_an_empty_file_is_refused():
    with pytest.raises(InvalidInput, match="empty"):
        csv_file.preview(b"")
    with pytest.raises(InvalidInput, match="empty"):
        csv_file.preview(b"\n\n")


# --- checking rows ------------------------------------------------------------------------------


def test_validate_explains_each_bad_row_with_its_line_number():
    data = (b"Account name,Type,First name,Last name,Email\n"
            b",Individual,Al,Bee,al@bee.example\n"
            b"Acme,Corp LLC,Al,Bee,al@bee.example\n"
            b"Acme,Company,Al,Bee,al@bee.example,extra cell\n"
            b"Zed,Individual,Zed,Zee,zed@\n")
    pv = csv_file.preview(data)
    errors = {e.line: e.message for e in csv_file.validate(csv_file.rows_of(data), pv.mapping, len(pv.columns))}
    assert errors[2] == "Line 2: the account name is missing."
    assert errors[3].startswith('Line 3: "Corp LLC" is not an account type; use one of Individual, Family, Company')
    assert errors[4] == ("Line 4: it has 6 cells but the header has 5 columns; check for a missing quote around a "
                         "value with a comma.")
    assert errors[5] == 'Line 5: "zed@" is not an email address.'


def test_a_file_without_an_account_name_column_says_which_column_is_needed(owner):
    with pytest.raises(InvalidInput, match="no column holds the account name"):
        run_import(owner, b"First name,Last name\nAl,Bee\n", skip_bad_rows=True)


def test_rows_of_one_account_that_disagree_on_its_type_are_an_error():
    data = b"Account name,Type\nAcme,Company\nAcme,Trust\n"
    errors = csv_file.validate(csv_file.rows_of(data), csv_file.preview(data).mapping)
    assert [e.line for e in errors] == [3]
    assert "is a Trust here but a Company on line 2" in errors[0].message


# --- importing ---------------------------------------------------------------------------


def test_import_creates_accounts_contacts_tags_and_one_audit_row(owner):
    progress: list[tuple[int, int]] = []
    result = run_import(owner, (DATA / "clients_taxdome.csv").read_bytes(), progress=lambda d, t: progress.append((d, t)),
                        file_name="clients.csv")
    assert (result.created_accounts, result.updated_accounts, result.created_contacts) == (4, 0, 4)
    assert sorted(result.created_tags) == ["Bookkeeping", "Returning", "VIP"]
    assert result.skipped == []
    assert progress[-1] == (5, 5)
    assert contacts_by_account() == {"Whitfield Household": ["Grace", "Henry"], "Brightside Bakery LLC": ["Rosa"],
                                     "Okafor, Chidi": ["Chidi"]}
    with read_session() as s:
        house = s.execute(select(Account).where(Account.name == "Whitfield Household")).scalar_one()
        assert house.type.value == "Family" and house.notes == "Joint return since 2019"
        grace = s.execute(select(Contact).where(Contact.first_name == "Grace")).scalar_one()
        assert (grace.email, grace.city, grace.region, grace.postal_code) == (
            "grace@whitfield.example", "Springfield", "IL", "62701")
        tags = s.execute(select(Tag.name).join(AccountTag, AccountTag.tag_id == Tag.id)
                         .where(AccountTag.account_id == house.id).order_by(Tag.name)).scalars().all()
        assert tags == ["Returning", "VIP"]
        audits = s.execute(select(AuditLog).where(AuditLog.action == "import")).scalars().all()
    assert len(audits) == 1
    assert audits[0].summary == "Imported 4 new accounts and 4 contacts from clients.csv"
    assert audits[0].detail["created_tags"] == ["Bookkeeping", "Returning", "VIP"]
    assert count(AuditLog) == 1  # no per-row or per-tag audit rows


def test_imported_accounts_are_found_by_the_accounts_search(owner):
    run_import(owner, (DATA / "clients_semicolon_bom.csv").read_bytes())
    with read_session() as s:
        rows, total = accounts.list_accounts(s, owner, search="müller")
    assert [r.name for r in rows] == ["Müller GmbH"] and rows[0].type == "Company" and rows[0].contacts == 1
    with read_session() as s:
        family = accounts.list_accounts(s, owner, search="nguyen")[0][0]
    assert family.type == "Family"  # "Household" is another system's word for it


def test_one_bad_row_imports_nothing_and_says_why(owner):
    data = (DATA / "clients_one_bad_row.csv").read_bytes()
    with pytest.raises(InvalidInput) as err:
        run_import(owner, data)
    assert str(err.value) == ('Nothing was imported: Line 4: "otto-at-pemberton" is not an email address. '
                              "Fix the file, or choose to skip rows with errors.")
    assert (count(Account), count(Contact), count(Tag), count(AuditLog)) == (0, 0, 0, 0)


def test_skipping_bad_rows_imports_the_rest_and_reports_the_skipped_lines(owner):
    result = run_import(owner, (DATA / "clients_one_bad_row.csv").read_bytes(), skip_bad_rows=True)
    assert [(e.line, e.message) for e in result.skipped] == [(4, 'Line 4: "otto-at-pemberton" is not an email address.')]
    assert (result.created_accounts, result.created_contacts) == (3, 3)
    assert contacts_by_account()["Pemberton Family"] == ["Iris"]


def test_an_existing_account_gets_the_contacts_instead_of_a_duplicate(owner):
    with write_session() as s:
        existing = make_account(s, owner, name="Whitfield HOUSEHOLD", type="Individual", notes="kept")
    data = (DATA / "clients_taxdome.csv").read_bytes()
    with read_session() as s:
        rv = csv_plan.review(s, owner, data)
    assert rv.existing_accounts == ["Whitfield HOUSEHOLD"]
    assert "1 account already exists" in rv.summary and "type and notes stay as they are" in rv.summary
    result = run_import(owner, data)
    assert (result.created_accounts, result.updated_accounts) == (3, 1)
    with read_session() as s:
        assert s.execute(select(func.count()).select_from(Account)
                         .where(func.lower(Account.name) == "whitfield household")).scalar_one() == 1
        account = s.get(Account, existing.id)
        assert account.notes == "kept" and account.type.value == "Individual"
    assert contacts_by_account()["Whitfield HOUSEHOLD"] == ["Grace", "Henry"]
    # The same file again adds no one twice.
    again = run_import(owner, data)
    assert (again.created_contacts, again.unchanged_contacts) == (0, 4)


def test_a_live_account_is_preferred_to_an_archived_one_and_an_archived_match_is_named(owner):
    with write_session() as s:
        old = make_account(s, owner, name="Acme")
        old.archived = True
    with read_session() as s:
        assert csv_plan.review(s, owner, b"Account name\nACME\n").existing_accounts == ["Acme (archived)"]
    with write_session() as s:
        live = make_account(s, owner, name="acme")
    with read_session() as s:
        rv = csv_plan.review(s, owner, b"Account name,First name\nACME,Al\n")
    assert rv.existing_accounts == ["acme"]
    run_import(owner, b"Account name,First name\nACME,Al\n")
    assert contacts_by_account() == {"acme": ["Al"]} and live.id != old.id


def test_employees_cannot_create_tags_and_are_told_which_rows(owner, employee):
    with write_session() as s:
        make_tag(s, owner, name="VIP")
    data = (DATA / "clients_taxdome.csv").read_bytes()
    with read_session() as s:
        rv = csv_plan.review(s, employee, data)
    assert rv.new_tags == []
    assert {e.line: e.message for e in rv.errors} == {
        2: 'Line 2: the tag "Returning" does not exist, and only the owner or an admin can create tags; '
           "ask one to create it, or remove it from the file.",
        4: 'Line 4: the tag "Bookkeeping" does not exist, and only the owner or an admin can create tags; '
           "ask one to create it, or remove it from the file."}
    with pytest.raises(InvalidInput, match=r"^Nothing was imported: Line 2: .* \(1 more row has errors.\) Fix the file"):
        run_import(employee, data)
    result = run_import(employee, data, skip_bad_rows=True)
    assert [e.line for e in result.skipped] == [2, 4]
    assert count(Tag) == 1
    # An employee keeps seeing the accounts it imported.
    with read_session() as s:
        team = s.execute(select(AccountTeam.member_id)).scalars().all()
        rows, total = accounts.list_accounts(s, employee)
    assert set(team) == {employee.member_id} and total == 3


def test_an_employee_cannot_add_contacts_to_an_account_it_cannot_see(owner, employee):
    with write_session() as s:
        make_account(s, owner, name="Secret Holdings")
    data = b"Account name,First name\nSecret Holdings,Eve\nOpen Co,Ann\n"
    with pytest.raises(InvalidInput, match="you do not have access to it"):
        run_import(employee, data)
    result = run_import(employee, data, skip_bad_rows=True)
    assert result.created_accounts == 1 and [e.line for e in result.skipped] == [2]


def test_contact_details_without_a_name_make_a_contact_named_after_the_account(owner):
    data = b"Company,Email,Phone\nBrightside Bakery,hello@brightside.example,555-0199\nQuiet Co,,\n"
    with read_session() as s:
        assert "1 contact with an email, phone or address but no name will be named after" in csv_plan.review(s, owner, data).summary
    run_import(owner, data)
    assert contacts_by_account() == {"Brightside Bakery": [""]}
    with read_session() as s:
        contact = s.execute(select(Contact)).scalar_one()
    assert (contact.last_name, contact.email, contact.phone) == ("Brightside Bakery", "hello@brightside.example",
                                                                 "555-0199")


def test_the_user_can_choose_the_mapping(owner):
    data = b"Who,Mail,Extra\nAcme,boss@acme.example,x\n"
    assert csv_file.preview(data).mapping == {}
    with pytest.raises(InvalidInput, match="both Account name and Email"):
        run_import(owner, data, mapping={"account_name": 0, "email": 0})
    run_import(owner, data, mapping={"account_name": 0})
    assert count(Account) == 1 and count(Contact) == 0


def test_progress_is_reported_in_chunks(owner):
    lines = ["Account name,First name"] + [f"Firm {i},Person{i}" for i in range(600)]
    progress: list[tuple[int, int]] = []
    run_import(owner, "\n".join(lines).encode(), progress=lambda d, t: progress.append((d, t)))
    assert progress == [(250, 600), (500, 600), (600, 600)]
    assert count(Account) == 600 and count(AccountContact) == 600
