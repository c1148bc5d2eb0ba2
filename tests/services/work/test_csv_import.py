"""Importing a firm's client list from another system's CSV export."""
from pathlib import Path

import pytest
from sqlalchemy import func, select

from practice import i18n
from practice.db import read_session, write_session
from practice.models import Account, AccountContact, AccountTag, AccountTeam, AuditLog, Contact, Tag
from practice.services.work import accounts, csv_file, csv_import, csv_plan
from practice.services.errors import InvalidInput
from tests.factories import actor_of, make_account, make_household, make_member, make_tag

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture
def owner(fresh_db):
    with write_session() as s:
        return actor_of(make_member(s, role="owner", name="Olivia"))


@pytest.fixture
def employee(fresh_db):
    with write_session() as s:
        return actor_of(make_member(s, role="employee", name="Bob"))


# The TaxDome file has no account key: its two Whitfield rows are one account because the user says so.
WHITFIELD_ONE_ACCOUNT = {"3:account": "join"}


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


def test_rows_with_one_account_key_must_agree_on_the_name_and_type():
    data = b"Account name,Type,Client ID\nAcme,Company,A1\nAcme,Trust,A1\nAcme Inc,Company,A1\nAcme,Trust,A2\n"
    errors = csv_file.validate(csv_file.rows_of(data), csv_file.preview(data).mapping)
    assert [(e.line, e.message) for e in errors] == [
        (3, 'Line 3: the account "Acme" is a Trust here but a Company on line 2; make them agree.'),
        (4, 'Line 4: the account key "A1" is "Acme Inc" here but "Acme" on line 2; make them agree.')]


def test_rows_joined_by_the_user_must_agree_on_the_type(owner):
    data = b"Account name,Type\nAcme,Company\nAcme,Trust\n"
    with read_session() as s:
        assert csv_plan.review(s, owner, data).errors == []  # two accounts until the user says otherwise
        rv = csv_plan.review(s, owner, data, answers={"3:account": "join"})
    assert [e.message for e in rv.errors] == [
        'Line 3: the account "Acme" is a Trust here but a Company on line 2; make them agree, or import it as a '
        "separate account."]


# --- importing ---------------------------------------------------------------------------


def test_import_creates_accounts_contacts_tags_and_one_audit_row(owner):
    progress: list[tuple[int, int]] = []
    result = run_import(owner, (DATA / "clients_taxdome.csv").read_bytes(), progress=lambda d, t: progress.append((d, t)),
                        file_name="clients.csv", answers=WHITFIELD_ONE_ACCOUNT)
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
    answers = {"2:account": "join", "3:account": "join"}
    with read_session() as s:
        asked = csv_plan.review(s, owner, data)
        rv = csv_plan.review(s, owner, data, answers=answers)
    assert [f.question for f in asked.flags] == [
        'Line 2: an account named "Whitfield HOUSEHOLD" already exists.',
        'Line 3: the account name "Whitfield Household" is also on line 2, and no account key says whether they '
        "are one client."]
    assert asked.good_rows == 3 and asked.undecided == 2
    assert rv.existing_accounts == ["Whitfield HOUSEHOLD"]
    assert "added to 1 existing account" in rv.summary and "type and notes stay as they are" in rv.summary
    result = run_import(owner, data, answers=answers)
    assert (result.created_accounts, result.updated_accounts) == (3, 1)
    with read_session() as s:
        assert s.execute(select(func.count()).select_from(Account)
                         .where(func.lower(Account.name) == "whitfield household")).scalar_one() == 1
        account = s.get(Account, existing.id)
        assert account.notes == "kept" and account.type.value == "Individual"
    assert contacts_by_account()["Whitfield HOUSEHOLD"] == ["Grace", "Henry"]
    # The same file again adds no one twice: every email is an existing contact's, linked.
    with read_session() as s:
        flags = csv_plan.review(s, owner, data).flags
    again = run_import(owner, data, answers={f.key: f.options[0][0] for f in flags})
    assert (again.created_contacts, again.unchanged_contacts) == (0, 4)


def test_a_french_importer_reads_the_questions_the_plan_and_the_row_errors_in_french(owner):
    with write_session() as s:
        make_account(s, owner, name="Whitfield HOUSEHOLD", type="Individual", notes="kept")
    data = (DATA / "clients_taxdome.csv").read_bytes()
    with read_session() as s, i18n.using_locale("fr"):
        asked = csv_plan.review(s, owner, data)
        types = csv_plan.review(s, owner, b"Account name,Type\nAcme,Company\nAcme,Trust\n", answers={"3:account": "join"})
        summary = asked.summary  # said when read, in the reader's language
    assert [f.question for f in asked.flags] == [
        "Ligne 2 : un dossier nommé « Whitfield HOUSEHOLD » existe déjà.",
        "Ligne 3 : le nom de dossier « Whitfield Household » est aussi à la ligne 2, et aucune clé de dossier ne dit "
        "s'il s'agit d'un même client."]
    assert summary.startswith("3 lignes sur 5 peuvent être importées : 3 nouveaux dossiers, 2 nouveaux contacts.")
    assert "2 questions ci-dessous (2 lignes attendent votre choix)." in summary
    assert [e.message for e in types.errors] == [
        "Ligne 3 : le dossier « Acme » est de type Fiducie ici mais Société à la ligne 2 ; accordez-les, ou "
        "importez-le comme un dossier distinct."]


def test_a_live_account_is_preferred_to_an_archived_one_and_an_archived_match_is_named(owner):
    with write_session() as s:
        old = make_account(s, owner, name="Acme")
        old.archived = True
    join = {"2:account": "join"}
    with read_session() as s:
        assert csv_plan.review(s, owner, b"Account name\nACME\n", answers=join).existing_accounts == ["Acme (archived)"]
    with write_session() as s:
        live = make_account(s, owner, name="acme")
    with read_session() as s:
        rv = csv_plan.review(s, owner, b"Account name,First name\nACME,Al\n", answers=join)
    assert rv.existing_accounts == ["acme"]
    run_import(owner, b"Account name,First name\nACME,Al\n", answers=join)
    assert contacts_by_account() == {"acme": ["Al"]} and live.id != old.id


def test_employees_cannot_create_tags_and_are_told_which_rows(owner, employee):
    with write_session() as s:
        make_tag(s, owner, name="VIP")
    data = (DATA / "clients_taxdome.csv").read_bytes()
    with read_session() as s:
        rv = csv_plan.review(s, employee, data, answers=WHITFIELD_ONE_ACCOUNT)
    assert rv.new_tags == []
    assert {e.line: e.message for e in rv.errors} == {
        2: 'Line 2: the tag "Returning" does not exist, and only the owner or an admin can create tags; '
           "ask one to create it, or remove it from the file.",
        4: 'Line 4: the tag "Bookkeeping" does not exist, and only the owner or an admin can create tags; '
           "ask one to create it, or remove it from the file."}
    with pytest.raises(InvalidInput, match=r"^Nothing was imported: Line 2: .* \(1 more row has errors.\) Fix the file"):
        run_import(employee, data, answers=WHITFIELD_ONE_ACCOUNT)
    result = run_import(employee, data, skip_bad_rows=True, answers=WHITFIELD_ONE_ACCOUNT)
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
    with pytest.raises(InvalidInput, match="an account you do not have access to"):
        run_import(employee, data)
    result = run_import(employee, data, skip_bad_rows=True)
    assert result.created_accounts == 1 and [e.line for e in result.skipped] == [2]


@pytest.mark.security
def test_the_refusal_names_no_account_the_employee_cannot_see(owner, employee):
    # The firm spells it its own way and has archived it; the employee's file spells it differently.
    with write_session() as s:
        secret = make_account(s, owner, name="SECRET Holdings LLC")
        s.get(Account, secret.id).archived = True
    data = b"Account name,First name\nsecret holdings llc,Eve\n"
    with pytest.raises(InvalidInput) as refused:
        run_import(employee, data)
    assert "SECRET" not in str(refused.value) and "archived" not in str(refused.value)
    assert '"secret holdings llc"' in str(refused.value)  # only what the file itself says


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


# --- the traps: a shared name, a shared email, values read differently ---------------------------------


def review_of(actor, data: bytes, **kwargs):
    with read_session() as s:
        return csv_plan.review(s, actor, data, **kwargs)


def accounts_and_people() -> list[tuple[str, list[str]]]:
    """Each account (by id) with its contacts' names and emails."""
    with read_session() as s:
        rows = s.execute(select(Account.id, Account.name, Contact.first_name, Contact.email)
                         .outerjoin(AccountContact, AccountContact.account_id == Account.id)
                         .outerjoin(Contact, Contact.id == AccountContact.contact_id)
                         .order_by(Account.id, Contact.first_name)).all()
    out: dict[int, tuple[str, list[str]]] = {}
    for account_id, name, first, email in rows:
        out.setdefault(account_id, (name, []))[1].extend([f"{first} <{email}>"] if first else [])
    return list(out.values())


SAME_NAME = b"Account name,First name,Email\nLee,Ann,ann@lee.example\nLee,Bo,bo@other.example\n"


def test_two_rows_with_the_same_name_are_flagged_and_wait_for_the_users_choice(owner):
    rv = review_of(owner, SAME_NAME)
    assert [(f.key, f.question, [v for v, _ in f.options]) for f in rv.flags] == [
        ("3:account", 'Line 3: the account name "Lee" is also on line 2, and no account key says whether they are '
                      "one client.", ["join", "new"])]
    assert rv.good_rows == 1 and rv.skipped_note == "Not imported: 1 row waiting for your choice."
    with pytest.raises(InvalidInput) as err:
        run_import(owner, SAME_NAME)
    assert str(err.value) == ("Nothing was imported: 1 row needs your choice above (flagged rows) before it can be "
                              "imported. Line 3 is the first.")
    assert count(Account) == 0


def test_same_name_rows_are_two_accounts_or_one_as_the_user_chooses(owner):
    run_import(owner, SAME_NAME, answers={"3:account": "new"})
    assert accounts_and_people() == [("Lee", ["Ann <ann@lee.example>"]), ("Lee", ["Bo <bo@other.example>"])]


def test_same_name_rows_joined_by_the_user_are_one_account(owner):
    run_import(owner, SAME_NAME, answers={"3:account": "join"})
    assert accounts_and_people() == [("Lee", ["Ann <ann@lee.example>", "Bo <bo@other.example>"])]


def test_an_account_key_column_merges_rows_and_tells_same_named_clients_apart(owner):
    data = (b"Account key,Account name,First name\n"
            b"C-1,Lee,Ann\nC-2,Lee,Bo\nc-1,Lee,Cy\n")
    assert csv_file.preview(data).mapping["account_key"] == 0
    rv = review_of(owner, data)
    assert rv.flags == [] and rv.good_rows == 3 and rv.new_accounts == 2
    run_import(owner, data)
    assert accounts_and_people() == [("Lee", ["Ann <>", "Cy <>"]), ("Lee", ["Bo <>"])]


def test_an_account_named_like_an_existing_one_is_added_only_when_the_user_says_so(owner):
    with write_session() as s:
        make_account(s, owner, name="Lee")
    rv = review_of(owner, b"Account name,First name\nLEE,Ann\n")
    assert [(f.question, f.options) for f in rv.flags] == [('Line 2: an account named "Lee" already exists.', [
        ("join", 'Add to the existing account "Lee" (its type and notes stay)'), ("new", 'A new account "LEE"')])]
    run_import(owner, b"Account name,First name\nLEE,Ann\n", answers={"2:account": "new"})
    assert accounts_and_people() == [("Lee", []), ("LEE", ["Ann <>"])]


DUP_EMAIL = (b"Account name,First name,Email\n"
             b"Lee,Ann,ann@lee.example\nAnn's Bakery,Ann,ANN@lee.example\n")


def test_an_email_twice_in_the_file_is_flagged_with_a_choice(owner):
    [flag] = review_of(owner, DUP_EMAIL).flags
    assert flag.question == ("Line 3: ann@lee.example is also the email on line 2 (Ann); two contacts with one email "
                             "would share one portal login.")
    assert flag.options == [("link", "The same person as line 2 (one contact)"),
                            ("no_email", "A separate contact without this email"), ("skip", "Skip this row")]


def test_linking_a_repeated_email_makes_one_contact_on_both_accounts(owner):
    result = run_import(owner, DUP_EMAIL, answers={"3:email": "link"})
    assert result.created_contacts == 1 and count(Contact) == 1
    assert accounts_and_people() == [("Lee", ["Ann <ann@lee.example>"]), ("Ann's Bakery", ["Ann <ann@lee.example>"])]


def test_a_repeated_email_can_be_left_out_or_its_row_skipped(owner):
    run_import(owner, DUP_EMAIL, answers={"3:email": "no_email"})
    assert accounts_and_people() == [("Lee", ["Ann <ann@lee.example>"]), ("Ann's Bakery", ["Ann <>"])]


def test_a_row_the_user_skips_is_not_imported_and_is_reported(owner):
    rv = review_of(owner, DUP_EMAIL, answers={"3:email": "skip"})
    assert rv.good_rows == 1 and rv.skipped_note == "Not imported: 1 row you chose to skip."
    result = run_import(owner, DUP_EMAIL, answers={"3:email": "skip"})
    assert result.chosen_skips == [3]
    assert accounts_and_people() == [("Lee", ["Ann <ann@lee.example>"])]
    with read_session() as s:
        audit_row = s.execute(select(AuditLog).where(AuditLog.action == "import")).scalar_one()
    assert audit_row.summary == "Imported 1 new account and 1 contact; skipped 1 row as chosen"


def test_an_email_of_an_existing_contact_is_flagged_and_linking_keeps_their_details(owner):
    with write_session() as s:
        _, [ann] = make_household(s, owner, "Lee Family", "Lee", ("Ann",))
        ann.phone = "555-0001"
    data = b"Account name,First name,Last name,Email,Phone\nLee Bakery,Annie,Lee,ann@lee.example,555-9999\n"
    [flag] = review_of(owner, data).flags
    assert flag.question == ('Line 2: ann@lee.example is already the email of Ann Lee (on "Lee Family"); two contacts '
                             "with one email would share one portal login.")
    assert flag.options[0] == ("link", "Link Ann Lee to this account (their details stay). They have portal access, "
                                       "so they will see this account's shared documents.")
    rv = review_of(owner, data, answers={"2:email": "link"})
    assert "0 new contacts, 1 existing contact linked" in rv.summary
    result = run_import(owner, data, answers={"2:email": "link"})
    assert (result.created_contacts, result.linked_contacts) == (0, 1)
    assert accounts_and_people() == [("Lee Family", ["Ann <ann@lee.example>"]), ("Lee Bakery", ["Ann <ann@lee.example>"])]
    with read_session() as s:
        assert s.execute(select(Contact.phone)).scalar_one() == "555-0001"


def test_an_employee_is_not_shown_a_contact_it_cannot_see(owner, employee):
    with write_session() as s:
        make_household(s, owner, "Secret Co", "Lee", ("Ann",), invite=False)
    rv = review_of(employee, b"Account name,First name,Email\nOpen Co,Ann,ann@lee.example\n")
    assert rv.flags == []
    assert [e.message for e in rv.errors] == [
        "Line 2: ann@lee.example is already the email of a contact on an account you do not have access to; ask an "
        "admin to import this row, or remove the email."]


def test_the_button_counts_only_the_rows_that_will_be_imported(owner):
    data = (b"Account name,First name,Email\n"
            b"A,Al,al@a.example\nB,Bo,not-an-email\nC,Cy,al@a.example\nD,Di,di@d.example\n")
    rv = review_of(owner, data)
    assert (rv.good_rows, rv.bad_lines, rv.undecided) == (2, 1, 1)
    assert rv.skipped_note == "Not imported: 1 row with errors, 1 row waiting for your choice."
    rv = review_of(owner, data, answers={"4:email": "link"})
    assert rv.good_rows == 3 and rv.skipped_note == "Not imported: 1 row with errors."
    assert run_import(owner, data, answers={"4:email": "link"}, skip_bad_rows=True).created_accounts == 3


def test_every_value_read_differently_than_typed_is_shown_in_the_preview(owner):
    data = (b"Account name,Entity type,Contact name,Email\n"
            b"Acme,LLC,Mary Ann Lee,Mary@Acme.example; books@acme.example\n"
            b"Bolt,llc,Bo Bolt,bo@bolt.example\nNguyen,Household,An Nguyen,an@nguyen.example\n"
            b"Plain,Company,,\n")
    rv = review_of(owner, data)
    assert [(t.column, t.value, t.becomes, t.lines) for t in rv.translations] == [
        ("Account type", "LLC", "Company", [2]),
        ("Contact full name", "Mary Ann Lee", 'first name "Mary Ann", last name "Lee"', [2]),
        ("Email", "Mary@Acme.example; books@acme.example", "mary@acme.example (other emails: books@acme.example)", [2]),
        ("Account type", "llc", "Company", [3]),
        ("Contact full name", "Bo Bolt", 'first name "Bo", last name "Bolt"', [3]),
        ("Account type", "Household", "Family", [4]),
        ("Contact full name", "An Nguyen", 'first name "An", last name "Nguyen"', [4])]


# --- custom fields -------------------------------------------------------------------------------

CUSTOM_CSV = (
    "Client ID,Account name,Filing status,First name,Last name,Email,Dependents,Fiscal year end\n"
    "C-1,Hale Household,mfj,Ann,Hale,ann@example.org,2,12/31/2026\n"
    "C-1,Hale Household,,Ben,Hale,ben@example.org,1,\n"
    "C-2,Ortiz LLC,Married filing jointly,Carla,Ortiz,carla@example.org,two,2026-06-30\n"
    "C-3,Park Family,Single,Dana,Park,dana@example.org,0,2026-13-40\n"
    "C-4,Quinn Trust,Single,Eli,Quinn,eli@example.org,,\n"
    "C-4,Quinn Trust,MFJ,Fay,Quinn,fay@example.org,,\n"
).encode()


@pytest.fixture
def firm_fields(owner):
    from practice.services.work import custom_fields
    with write_session() as s:
        custom_fields.define_field(s, owner, entity="account", label="Filing status", type="choice",
                                   options=["Single", "MFJ", "MFS", "HOH"])
        custom_fields.define_field(s, owner, entity="account", label="Fiscal year end", type="date")
        custom_fields.define_field(s, owner, entity="contact", label="Dependents", type="number")
    return owner


def custom_values(entity: str, key: str) -> dict[str, str]:
    from practice.models import CustomField, CustomValue
    name = Account.name if entity == "account" else Contact.first_name
    model = Account if entity == "account" else Contact
    with read_session() as s:
        return dict(s.execute(select(name, CustomValue.value).join(CustomValue, CustomValue.item_id == model.id)
                              .join(CustomField, CustomField.id == CustomValue.field_id)
                              .where(CustomField.entity == entity, CustomField.key == key)).all())


def test_columns_named_like_custom_fields_map_to_them_and_bad_values_are_told_row_by_row(firm_fields):
    with read_session() as s:
        review = csv_plan.review(s, firm_fields, CUSTOM_CSV)
    mapped = {k: review.preview.columns[i] for k, i in review.preview.mapping.items()}
    assert mapped["account.filing_status"] == "Filing status"
    assert mapped["account.fiscal_year_end"] == "Fiscal year end"
    assert mapped["contact.dependents"] == "Dependents"
    assert review.preview.unknown_columns == []
    assert [e.message for e in review.errors] == [
        "Line 4: “Filing status” is one of: Single, MFJ, MFS, HOH. “Married filing jointly” is not one of them.",
        "Line 4: “Dependents” takes a number, like 3 or 2.5; “two” is not one.",
        "Line 5: “Fiscal year end” takes a date, like 2027-04-15 or 04/15/2027; “2026-13-40” is not one.",
        'Line 7: the account "Quinn Trust" has Filing status "MFJ" here but "Single" on line 6; make them agree, '
        "or leave the cell empty on one of them.",
    ]
    assert review.bad_lines == 3
    # "mfj" is imported as the list's "MFJ": the preview says so before anything is written.
    assert [(t.column, t.value, t.becomes, t.lines) for t in review.translations] == [
        ("Filing status (account field)", "mfj", "MFJ", [2])]


def test_an_import_fills_custom_fields_of_new_accounts_and_contacts(firm_fields):
    result = run_import(firm_fields, CUSTOM_CSV, skip_bad_rows=True)
    assert result.created_accounts == 2 and result.created_contacts == 3  # Hale (2 rows) and Quinn (line 6)
    assert sorted(e.line for e in result.skipped) == [4, 4, 5, 7]
    assert custom_values("account", "filing_status") == {"Hale Household": "MFJ", "Quinn Trust": "Single"}
    assert custom_values("account", "fiscal_year_end") == {"Hale Household": "2026-12-31"}
    assert custom_values("contact", "dependents") == {"Ann": "2", "Ben": "1"}
    assert result.custom_values == 5
    with read_session() as s:
        entry = s.execute(select(AuditLog).where(AuditLog.action == "import")).scalar_one()
    assert "filled 5 custom field values" in entry.summary


def test_a_chosen_column_fills_a_custom_field_and_existing_accounts_keep_their_values(firm_fields):
    from practice.services.work import custom_fields
    with write_session() as s:
        hale = make_account(s, firm_fields, name="Hale Household")
        status = next(f for f in custom_fields.list_fields(s, firm_fields, "account") if f.key == "filing_status")
        custom_fields.set_value(s, firm_fields, "account", hale.id, status.id, "HOH")
    data = ("Name,Status,Year end\nHale Household,Single,12/31/2026\n").encode()
    with read_session() as s:
        assert csv_plan.review(s, firm_fields, data).preview.mapping == {}  # "Name" and "Status" are not known names
    mapping = {"account_name": 0, "account.filing_status": 1, "account.fiscal_year_end": 2}
    result = run_import(firm_fields, data, mapping=mapping, answers={"2:account": "join"})
    assert result.created_accounts == 0 and result.updated_accounts == 1
    assert result.kept_values == 1 and result.custom_values == 1
    assert custom_values("account", "filing_status") == {"Hale Household": "HOH"}  # the firm's value stays
    assert custom_values("account", "fiscal_year_end") == {"Hale Household": "2026-12-31"}  # an empty one is filled


def test_a_mapping_naming_a_deleted_custom_field_is_refused_with_a_sentence(firm_fields):
    with read_session() as s, pytest.raises(InvalidInput, match="is not a field an import can fill"):
        csv_plan.review(s, firm_fields, b"Name,Status\nHale,Single\n", {"account_name": 0, "account.gone": 1})


def test_linked_existing_contacts_get_the_files_values_in_their_empty_fields(firm_fields):
    """A row whose email is an existing contact's, linked: the contact's empty custom fields take the file's values,
    a value it has stays (said in the preview and after), an empty cell changes nothing, and a bad value is told on
    its row."""
    from practice.services.work import custom_fields
    with write_session() as s:
        _, [ann, ben, cy] = make_household(s, firm_fields, "Lee Family", "Lee", ("Ann", "Ben", "Cy"), invite=False)
        dependents = next(f for f in custom_fields.list_fields(s, firm_fields, "contact") if f.key == "dependents")
        custom_fields.set_value(s, firm_fields, "contact", ann.id, dependents.id, "2")
        custom_fields.set_value(s, firm_fields, "contact", cy.id, dependents.id, "4")
    data = ("Client ID,Account name,First name,Last name,Email,Dependents\n"
            "B-1,Lee Bakery,Ann,Lee,ann@lee.example,3\n"       # Ann has 2: it stays
            "B-1,Lee Bakery,Ben,Lee,ben@lee.example,1\n"       # Ben has none: filled
            "B-1,Lee Bakery,Cy,Lee,cy@lee.example,\n"          # an empty cell: Cy keeps 4
            "B-1,Lee Bakery,Dee,Lee,dee@lee.example,two\n"     # a bad value: told on its row
            "B-1,Lee Bakery,Ben,Lee,ben@lee.example,5\n").encode()  # Ben again, with another value: told
    links = {"2:email": "link", "3:email": "link", "4:email": "link", "6:email": "link"}
    rv = review_of(firm_fields, data, answers=links)
    assert [e.message for e in rv.errors] == [
        "Line 5: “Dependents” takes a number, like 3 or 2.5; “two” is not one.",
        'Line 6: ben@lee.example has Dependents "5" here but "1" on line 3; make them agree, or leave the cell '
        "empty on one of them."]
    assert "1 linked existing contact gets the file's values in the fields they have empty." in rv.summary
    assert "1 value a linked contact already has stays as it is (the file has another)." in rv.summary
    with pytest.raises(InvalidInput, match="Nothing was imported"):
        run_import(firm_fields, data, answers=links)
    assert custom_values("contact", "dependents") == {"Ann": "2", "Cy": "4"}  # nothing written
    result = run_import(firm_fields, data, answers=links, skip_bad_rows=True)
    assert (result.linked_contacts, result.updated_contacts, result.kept_contact_values) == (3, 1, 1)
    assert custom_values("contact", "dependents") == {"Ann": "2", "Ben": "1", "Cy": "4"}
    with read_session() as s:
        entry = s.execute(select(AuditLog).where(AuditLog.action == "import")).scalar_one()
    assert "filled empty fields of 1 existing contact; kept 1 value existing contacts already had" in entry.summary
    assert entry.detail["updated_contacts"] == [ben.id]
