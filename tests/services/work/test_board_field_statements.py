"""The board filtered by a custom field, with custom fields shown on its cards, stays within the board's budget of 3
statements per load (issue 15), for the owner and for an employee without "view all", filtered by a job's field or by
its account's: the filter and the columns are read once by the page (field_views), and the cards' statement reads
the columns' values itself. On either database."""
from __future__ import annotations

import pytest
from sqlalchemy import event

from practice.db import get_engine, read_session, write_session
from practice.models import AccountTeam
from practice.services.work import board, custom_fields, field_views
from practice.services.work.pipelines import stages_of
from tests.factories import make_account, make_firm, make_job, make_pipeline


def a_firm_with_fields(monkeypatch):
    with write_session() as s:
        staff = make_firm(s, owner="Olivia", employees={"bob": "Bob"})
        boss = staff["owner"]
        pipe = make_pipeline(s, boss, name="1040 Return")
        st = [x.id for x in stages_of(s, pipe.id)]
        kind = custom_fields.define_field(s, boss, entity="job", label="Return type", type="choice",
                                          options=["1040", "1065"]).id
        fee = custom_fields.define_field(s, boss, entity="job", label="Fee", type="money").id
        status = custom_fields.define_field(s, boss, entity="account", label="Filing status", type="choice",
                                            options=["Single", "MFJ"]).id
        for a in range(8):
            account = make_account(s, boss, name=f"Account {a}")
            custom_fields.set_value(s, boss, "account", account.id, status, ("Single", "MFJ")[a % 2])
            if a % 4 < 2:  # Bob works on half of the accounts (0, 1, 4, 5), two of them MFJ
                s.add(AccountTeam(account_id=account.id, member_id=staff["bob"].member_id))
            for j in range(10):
                job = make_job(s, boss, account=account, pipeline=pipe, stage_id=st[j % len(st)], name=f"Job {a}.{j}")
                custom_fields.set_value(s, boss, "job", job.id, kind, ("1040", "1065")[j % 2])
                if j % 3:
                    custom_fields.set_value(s, boss, "job", job.id, fee, str(100 + j))
        for who in ("owner", "bob"):
            for fid in (kind, fee, status):
                field_views.set_column(s, staff[who], "board", fid, True)
        return dict(**staff, pipe=pipe.id, fields=dict(kind=kind, fee=fee, status=status))


pytestmark = [pytest.mark.firm(build=a_firm_with_fields)]

FILTERS = {"job field": ("kind", "1040"), "account field": ("status", "MFJ")}


def counted(fn):
    """What fn returns and the SQL statements it sent (transaction control left out)."""
    sent: list[str] = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT", "RELEASE")):
            sent.append(statement)

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", keep)
    try:
        return fn(), sent
    finally:
        event.remove(engine, "before_cursor_execute", keep)


def the_view(actor, field_id: int, value: str):
    """The filter and the columns as the board page reads them once per visit."""
    with read_session() as s:
        flt = field_views.make_filter(s, actor, "board", field_id=field_id, value=value)
        return flt, field_views.shown_fields(field_views.get_columns(s, actor, "board"))


@pytest.mark.parametrize("by", FILTERS)
@pytest.mark.parametrize("who", ["owner", "bob"])
def test_a_filtered_board_with_three_columns_is_three_statements(firm, who, by):
    actor = firm[who]
    key, value = FILTERS[by]
    flt, fields = the_view(actor, firm["fields"][key], value)

    def load():
        with read_session() as s:
            return board.load_board(s, actor, firm["pipe"], field_filter=flt, fields=fields)

    columns, sent = counted(load)
    cards = [c for col in columns for c in col.cards]
    # The owner sees 40 matching jobs of 80, Bob 20 (of his 4 accounts' jobs, half match).
    expected = 40 if who == "owner" else 20
    assert sum(c.count for c in columns) == len(cards) == expected
    for card in cards:
        shown = dict(card.fields)
        account = int(card.account.split()[-1])
        number = int(card.name.split(".")[-1])
        assert shown["Return type"] == ("1040", "1065")[number % 2]
        assert shown["Filing status (account field)"] == ("Single", "MFJ")[account % 2]
        assert shown.get("Fee") == (f"${100 + number:,.2f}" if number % 3 else None)
        assert [label for label, _ in card.fields] == [lbl for lbl in ("Return type", "Fee",
                                                                       "Filing status (account field)") if lbl in shown]
    assert len(sent) <= 3, sent


@pytest.mark.parametrize("who", ["owner", "bob"])
def test_after_a_move_and_on_show_more_the_columns_values_come_with_the_cards(firm, who):
    actor, pipe = firm[who], firm["pipe"]
    flt, fields = the_view(actor, firm["fields"]["kind"], "1065")
    with read_session() as s:
        first = board.load_board(s, actor, pipe, field_filter=flt, fields=fields)
    stage = next(c for c in first if c.count > 1)

    def reload_one_column():  # what a drop reloads
        with read_session() as s:
            return board.load_columns(s, actor, pipe, [stage.id], field_filter=flt, fields=fields)

    def show_more():
        with read_session() as s:
            return board.load_more(s, actor, pipe, stage.id, 1, field_filter=flt, fields=fields)

    some, sent = counted(reload_one_column)
    assert [c.fields for c in some[0].cards] == [c.fields for c in stage.cards] and len(sent) <= 2, sent
    more, sent = counted(show_more)
    assert more == stage.cards[1:] and all(dict(c.fields)["Return type"] == "1065" for c in more)
    assert len(sent) == 1, sent
