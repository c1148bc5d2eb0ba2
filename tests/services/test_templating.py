import pytest

from practice.services.errors import InvalidInput
from practice.services.templating import render


def test_placeholders_are_filled():
    assert render("Dear {{ contact.first_name }},", {"contact": {"first_name": "June"}}) == "Dear June,"


def test_a_runaway_loop_is_stopped_with_a_sentence():
    with pytest.raises(InvalidInput, match="takes too long"):
        render("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", {},
               max_seconds=0.2)


def test_huge_output_is_refused():
    with pytest.raises(InvalidInput, match="more than"):
        render("{% for i in range(100000) %}xxxxxxxxxx{% endfor %}", {}, max_chars=10_000)


def test_the_sandbox_blocks_python_internals():
    with pytest.raises(InvalidInput, match="may not do|not available"):
        render("{{ ''.__class__.__mro__[1].__subclasses__() }}", {})


def test_unknown_names_are_named():
    with pytest.raises(InvalidInput, match="not available"):
        render("Hello {{ acount.name }}", {"account": {"name": "x"}})


def test_syntax_errors_give_the_line():
    with pytest.raises(InvalidInput, match="line 2"):
        render("ok\n{% if %}", {})
