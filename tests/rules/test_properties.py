"""Properties that hold for every text and every fact, checked with Hypothesis.

- Any text fed to the checker passes or yields the package's own errors, never another
  exception (and within a deadline: no hang).
- Formatting keeps the meaning (format -> parse gives the same tree) and is idempotent.
- The compiled evaluation agrees with a plain reference interpreter (tests/rules/reference.py)
  and with the run log's explanation, on thousands of random facts.
"""

import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark
from lark import Lark

from rules import Catalog, RulesError, check, check_errors, format_source, parse
from rules import ast as A
from rules.compiler import compile_condition
from rules.evaluate import _fix_dates, prepare_facts
from rules.formatter import format_condition
from rules.parser import GRAMMAR, KEYWORDS
from rules.timeutil import as_zone

from .conftest import CONTRACT_CATALOG
from .grammar_sampler import GrammarSampler
from .reference import Reference

CATALOG = Catalog.from_dict(CONTRACT_CATALOG)
FAST = settings(max_examples=300, deadline=5000, suppress_health_check=list(HealthCheck))

# ---------------------------------------------------------------- texts from the grammar

# One rule at a time keeps drawn texts short (and Hypothesis fast); files join a few.
_GRAMMAR = Lark(GRAMMAR, parser="lalr", lexer="contextual", start="rule")


def _spaced(strategy):
    return st.tuples(strategy, st.sampled_from([" ", "  ", "\n", "\n  ", "\t"])).map("".join)


def _word(word):
    return st.sampled_from([word, word.upper(), word.capitalize()])


_NAMES = sorted({*CONTRACT_CATALOG["tags"], *CONTRACT_CATALOG["members"],
                 *(s for ss in CONTRACT_CATALOG["pipelines"].values() for s in ss),
                 *CONTRACT_CATALOG["pipelines"],
                 *(t for ts in CONTRACT_CATALOG["templates"].values() for t in ts),
                 "Low", "High", "Company", "Trust", "Reveiw", "Welcom", "a@b.com"})


def _quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


_TEXTS = st.one_of(
    st.sampled_from(_NAMES),
    st.sampled_from(["Call {{ account.name }}", "Q{{ quarter }} {{ year }}", "{{ acount.name }}",
                     "{{ invoice.total }}", "{{ job.name | upper }}", "{{ 1 + 1 }}", "{% if x %}", "{{ x"]),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=12),
).map(_quote)

_FIELDS = [f"{e}.{n}" for e, ns in
           {"job": ["stage", "name", "due_date", "entered_stage_at", "assignee", "priority", "pipeline"],
            "account": ["balance", "type", "name", "created_at"], "invoice": ["total"],
            "contact": ["email"], "job_": ["stge"]}.items() for n in ns]

EXPLICIT = {name: _spaced(_word(word)) for name, word in KEYWORDS.items()}
EXPLICIT.update({
    "STRING": _spaced(_TEXTS),
    "FIELD": _spaced(st.sampled_from(_FIELDS)),
    "NUMBER": _spaced(st.sampled_from(["0", "1", "2", "3", "15", "31", "1000", "1000.50", "0.5", "99"])),
    "DATE": _spaced(st.sampled_from(["2027-04-15", "2027-02-30", "2026-12-31"])),
    "TIME": _spaced(st.sampled_from(["7:30", "07:30", "23:59", "24:00"])),
    "DAYNAME": _spaced(st.sampled_from(["monday", "Friday", "sundays"])),
    "MONTHNAME": _spaced(st.sampled_from(["april", "February", "december"])),
    "MINUTE": _spaced(st.sampled_from(["minute", "minutes"])),
    "HOUR": _spaced(st.sampled_from(["hour", "hours"])),
    "DAY": _spaced(st.sampled_from(["day", "days"])),
    "WEEK": _spaced(st.sampled_from(["week", "weeks"])),
    "MONTH": _spaced(st.sampled_from(["month", "months"])),
    "YEAR": _spaced(st.sampled_from(["year", "years"])),
    "WEEKDAY": _spaced(st.just("weekday")),
    "COMMENT": st.just("# note\n"),
    "WS": st.sampled_from([" ", "\n"]),
})
for name, sym in {"EQ": "=", "NE": "!=", "LT": "<", "LE": "<=", "GT": ">", "GE": ">=", "PLUS": "+",
                  "MINUS": "-", "LPAR": "(", "RPAR": ")", "COMMA": ","}.items():
    EXPLICIT[name] = _spaced(st.just(sym))

# Hypothesis's own strategy (slow: used by one property with few examples).
LARK_TEXTS = st.lists(from_lark(_GRAMMAR, start="rule", explicit=EXPLICIT), min_size=1, max_size=2).map("\n".join)


def _sampler_terminal(strategy_values):
    return lambda rnd: rnd.choice(strategy_values)


_TERMINAL_VALUES = {name: [word, word.upper(), word.capitalize()] for name, word in KEYWORDS.items()}
_TERMINAL_VALUES.update({
    "STRING": [_quote(n) for n in _NAMES] + [_quote(t) for t in (
        "Call {{ account.name }}", "Q{{ quarter }} {{ year }}", "{{ acount.name }}", "{{ invoice.total }}",
        "{{ job.name | upper }}", "{{ 1 + 1 }}", "{% if x %}", "{{ x", "say \"hi\"", "back\\slash", "")],
    "FIELD": _FIELDS,
    "NUMBER": ["0", "1", "2", "3", "15", "31", "1000", "1000.50", "0.5", "99"],
    "DATE": ["2027-04-15", "2027-02-30", "2026-12-31"],
    "TIME": ["7:30", "07:30", "23:59", "24:00"],
    "DAYNAME": ["monday", "Friday", "sundays"],
    "MONTHNAME": ["april", "February", "december"],
    "MINUTE": ["minute", "minutes"], "HOUR": ["hour", "hours"], "DAY": ["day", "days"],
    "WEEK": ["week", "weeks"], "MONTH": ["month", "months"], "YEAR": ["year", "years"],
    "WEEKDAY": ["weekday"],
    "EQ": ["="], "NE": ["!="], "LT": ["<"], "LE": ["<="], "GT": [">"], "GE": [">="], "PLUS": ["+"],
    "MINUS": ["-"], "LPAR": ["("], "RPAR": [")"], "COMMA": [","],
})
SAMPLER = GrammarSampler(_GRAMMAR, {k: _sampler_terminal(v) for k, v in _TERMINAL_VALUES.items()},
                         separators=(" ", " ", " ", "\n", "\n  ", "  # note\n", "\t"))
GRAMMAR_TEXTS = st.lists(st.randoms(use_true_random=False).map(SAMPLER.sample), min_size=1, max_size=3).map("\n".join)


# Parser jargon that must never reach a person.
JARGON = ("STRING", "FIELD", "NUMBER", "$END", "LPAR", "RPAR", "COMMA", "DAYNAME", "MONTHNAME",
          "Token(", "Traceback", "Unexpected", "terminal", "__ANON")


def _check_never_crashes(text):
    errors = check_errors(text, CATALOG)
    assert all(isinstance(e, RulesError) for e in errors)
    for e in errors:
        assert e.message and e.line >= 1 and e.column >= 1
        # What the writer wrote is quoted back to them; the rest must be plain words.
        words = re.sub(r'"[^"]*"', "", f"{e.message} {e.hint or ''}")
        assert not any(jargon in words for jargon in JARGON), words
    return errors


@FAST
@given(GRAMMAR_TEXTS)
def test_grammar_texts_pass_or_fail_with_our_errors(text):
    _check_never_crashes(text)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(LARK_TEXTS)
def test_texts_drawn_by_hypothesis_extra_lark_pass_or_fail_with_our_errors(text):
    _check_never_crashes(text)
    try:
        tree = parse(text)
    except RulesError:
        return
    assert parse(format_source(text)) == tree


@FAST
@given(st.text(max_size=200))
def test_any_text_passes_or_fails_with_our_errors(text):
    _check_never_crashes(text)


@FAST
@given(GRAMMAR_TEXTS, st.data())
def test_damaged_texts_fail_with_our_errors(text, data):
    cut = data.draw(st.integers(0, len(text)))
    insert = data.draw(st.sampled_from(["", '"', "#", "1,000", "then", "end", "(", "\\", "rule"]))
    _check_never_crashes(text[:cut] + insert + text[cut + data.draw(st.integers(0, 5)):])


@FAST
@given(GRAMMAR_TEXTS)
def test_format_keeps_the_meaning_and_is_idempotent(text):
    try:
        tree = parse(text)
    except RulesError:
        assume(False)
    once = format_source(text)
    assert parse(once) == tree
    assert format_source(once) == once


# ---------------------------------------------------------------- compiled vs reference

TEXT_FIELDS = [A.Field("job", "name"), A.Field("account", "name"), A.Field("contact", "email"),
               A.Field("job", "stage")]
DATE_FIELDS = [A.Field("job", "due_date"), A.Field("job", "start_date")]
MOMENT_FIELDS = [A.Field("job", "created_at"), A.Field("job", "entered_stage_at"),
                 A.Field("account", "created_at")]
NUMBER_FIELDS = [A.Field("account", "balance")]
UNITS = ["day", "business day", "week", "month", "year"]

_texts = st.sampled_from(["Review", "review ", "Ann", "smith", "", "Straße", "STRASSE", "1040"])
_numbers = st.sampled_from(["0", "1", "999.99", "1000", "1000.50", "5000"]).map(
    lambda s: A.Number(Decimal(s), s))
_durations = st.builds(lambda n, u: A.Duration(Decimal(n), u), st.integers(0, 40), st.sampled_from(UNITS))
_moment_durations = st.builds(lambda n, u: A.Duration(Decimal(n), u), st.integers(0, 100),
                              st.sampled_from(UNITS + ["minute", "hour"]))
_dates = st.dates(date(2026, 12, 1), date(2027, 6, 1)).map(lambda d: A.DateLiteral(d, d.isoformat()))


def _shifted(base, durations):
    return st.builds(lambda b, s, d: A.Shifted(b, s, d), base, st.sampled_from([1, -1]), durations)


_date_values = st.one_of(_dates, st.just(A.Today()), st.sampled_from(DATE_FIELDS),
                         _shifted(st.one_of(st.just(A.Today()), st.sampled_from(DATE_FIELDS)), _durations))
_moment_values = st.one_of(st.just(A.Now()), st.sampled_from(MOMENT_FIELDS),
                           _shifted(st.one_of(st.just(A.Now()), st.sampled_from(MOMENT_FIELDS)), _moment_durations))
_datey = st.one_of(_date_values, _moment_values)

_tests = st.one_of(
    st.builds(A.Compare, st.sampled_from(TEXT_FIELDS[:3]),
              st.sampled_from(["is", "is not", "contains", "does not contain", "starts with"]),
              st.one_of(_texts.map(A.Text), st.sampled_from(TEXT_FIELDS[:3]))),
    st.builds(A.Compare, st.just(A.Field("job", "stage")), st.sampled_from(["is", "is not"]),
              st.sampled_from(["Review", " review", "Done"]).map(A.Text)),
    st.builds(A.Compare, st.sampled_from(NUMBER_FIELDS),
              st.sampled_from(["is", "is not", "<", "<=", ">", ">="]), _numbers),
    st.builds(A.Compare, _datey, st.sampled_from(["is", "is not", "<", "<=", ">", ">=", "is before", "is after"]), _datey),
    st.builds(A.OneOf, st.sampled_from(TEXT_FIELDS[:3]), st.lists(_texts.map(A.Text), min_size=1, max_size=3).map(tuple), st.booleans()),
    st.builds(A.OneOf, st.sampled_from(NUMBER_FIELDS), st.lists(_numbers, min_size=1, max_size=3).map(tuple), st.booleans()),
    st.builds(A.OneOf, _datey, st.lists(_dates, min_size=1, max_size=3).map(tuple), st.booleans()),
    st.builds(A.Empty, st.sampled_from(TEXT_FIELDS + DATE_FIELDS + MOMENT_FIELDS + NUMBER_FIELDS), st.booleans()),
    st.builds(A.Within, st.sampled_from(DATE_FIELDS), _durations),
    st.builds(A.Within, st.sampled_from(MOMENT_FIELDS), _moment_durations),
    st.builds(A.Ago, st.sampled_from(DATE_FIELDS), _durations, st.booleans()),
    st.builds(A.Ago, st.sampled_from(MOMENT_FIELDS), _moment_durations, st.booleans()),
    st.builds(A.HasTag, st.sampled_from(["account", "job"]), st.sampled_from(["VIP", "vip ", "Payroll"]).map(A.Text), st.booleans()),
)

def _grouped(part, kinds):
    return A.Group(part) if isinstance(part, kinds) else part


CONDITIONS = st.recursive(
    _tests,
    lambda inner: st.one_of(
        # Shapes the parser makes: and/or nested in their own kind or and-in-or need parentheses.
        st.lists(inner, min_size=2, max_size=3).map(lambda ps: A.And(tuple(_grouped(p, (A.And, A.Or)) for p in ps))),
        st.lists(inner, min_size=2, max_size=3).map(lambda ps: A.Or(tuple(_grouped(p, (A.Or,)) for p in ps))),
        inner.map(lambda p: A.Not(p if not isinstance(p, (A.And, A.Or)) else A.Group(p))),
        inner.map(A.Group),
    ),
    max_leaves=6,
)

NOW = datetime(2027, 3, 14, 6, 30, tzinfo=timezone.utc)  # the night clocks change in New York
_nows = st.sampled_from([NOW, NOW + timedelta(hours=1), datetime(2027, 1, 31, 23, 0, tzinfo=timezone.utc),
                         datetime(2027, 11, 7, 5, 30, tzinfo=timezone.utc)])
_tzs = st.sampled_from(["UTC", "America/New_York", "Asia/Kolkata"])


def _maybe(strategy):
    return st.one_of(st.none(), strategy, strategy, strategy)


_fact_moments = st.datetimes(datetime(2026, 12, 1), datetime(2027, 12, 1),
                             timezones=st.sampled_from([timezone.utc, as_zone("America/New_York")]))
_fact_texts = st.sampled_from(["Review", "REVIEW", "review", " Review", "Ann Lee", "Smith", "straße", "", "1040 Return"])
_fact_numbers = st.one_of(st.integers(-10, 6000), st.sampled_from([Decimal("999.99"), Decimal("1000.50"), 1000.5, 0.5]))
_tags = st.lists(st.sampled_from(["VIP", "vip", "Payroll", "Returning"]), max_size=3)


def _record(fields):
    return st.fixed_dictionaries({name: _maybe(strategy) for name, strategy in fields.items()})


FACTS = st.fixed_dictionaries({
    "job": _record({"name": _fact_texts, "stage": _fact_texts, "due_date": st.dates(date(2026, 12, 1), date(2027, 12, 1)),
                    "start_date": st.dates(date(2026, 12, 1), date(2027, 12, 1)), "created_at": _fact_moments,
                    "entered_stage_at": _fact_moments, "tags": _tags}),
    "account": _record({"name": _fact_texts, "balance": _fact_numbers, "created_at": _fact_moments, "tags": _tags}),
    "contact": _record({"email": _fact_texts}),
})


def _checks_ok(condition):
    # "when client tasks are completed" carries a job, its account and a contact.
    text = f'rule "p"\nwhen client tasks are completed\nif {format_condition(condition)}\nthen\n  add tag "VIP" to job\nend\n'
    return check_errors(text, CATALOG) == [], text


@settings(max_examples=400, deadline=5000, suppress_health_check=list(HealthCheck))
@given(CONDITIONS, st.lists(FACTS, min_size=5, max_size=10), _nows, _tzs)
def test_compiled_condition_agrees_with_the_reference(condition, facts_list, now, tz):
    ok, text = _checks_ok(condition)
    assert ok, text
    # The text the formatter writes reads back as the same condition.
    assert parse(text).rules[0].condition == condition
    compiled = compile_condition(condition, tz)
    predicate = compiled.bind(now)
    for raw in facts_list:
        facts = _fix_dates(prepare_facts(raw), as_zone(tz))
        expected = Reference(facts, now, tz).holds(condition)
        assert predicate(facts) == expected, (text, raw)
        result, parts = compiled.explain(facts, now)
        assert result == expected
        assert all(isinstance(p[3], bool) for p in parts)


def test_thousands_of_random_facts_on_the_benchmark_condition():
    text = ('rule "b" when job is created if job.stage is "Review" and account has tag "VIP" and '
            'account.balance > 1000 and job.entered_stage_at is more than 3 days ago then archive job end')
    condition = check(text, CATALOG).rules[0].condition
    compiled = compile_condition(condition, "America/New_York")
    predicate = compiled.bind(NOW)

    @settings(max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck))
    @given(FACTS)
    def agree(raw):
        facts = _fix_dates(prepare_facts(raw), as_zone("America/New_York"))
        assert predicate(facts) == Reference(facts, NOW, "America/New_York").holds(condition)

    agree()
