import pytest

from practice import i18n
from practice.services import templating
from practice.services.errors import InvalidInput
from practice.services.templating import EmptyPlaceholder, check_template, render


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


CONTEXT = {"account": {"name": "Acme", "type": "Company"}, "job": {},
           "contact": {"first_name": "June", "last_name": "Hart", "name": "June Hart", "email": "j@h.example"},
           "firm": {"name": "Park & Lee"}, "year": 2026}


@pytest.mark.parametrize("source, sentence", [
    ("Dear {{ contact.firstname }},", "Unknown placeholder {{ contact.firstname }} in the email: did you mean "
                                      "{{ contact.first_name }}?"),
    ("{{ contact['frist_name'] }}", "Unknown placeholder {{ contact.frist_name }} in the email: did you mean "
                                    "{{ contact.first_name }}?"),
    ("Hello {{ acount.name }}", "Unknown placeholder {{ acount }} in the email: did you mean {{ account }}?"),
    ("{% if year %}{{ firm.nmae | upper }}{% endif %}", "Unknown placeholder {{ firm.nmae }} in the email: did you "
                                                        "mean {{ firm.name }}?"),
    ("{{ account.contact_name }}", "Unknown placeholder {{ account.contact_name }} in the email: did you mean "
                                   "{{ contact.name }}?"),
    ("{{ contact.shoe_size }}", "Unknown placeholder {{ contact.shoe_size }} in the email; {{ contact }} has: email, "
                                "first_name, last_name, name."),
])
def test_an_unknown_placeholder_is_named_with_the_nearest_known_one(source, sentence):
    with pytest.raises(InvalidInput) as err:
        render(source, CONTEXT, what="email")
    assert str(err.value) == sentence
    assert "dict object" not in str(err.value) and "attribute" not in str(err.value)


def test_a_placeholder_of_an_empty_part_says_what_is_missing():
    with pytest.raises(EmptyPlaceholder) as err:
        render("Re: {{ job.name }}", CONTEXT, what="email")
    assert str(err.value) == "The email uses {{ job.name }}, but there is no job here."
    assert (err.value.root, err.value.path) == ("job", "job.name")


def test_names_of_a_loop_are_not_mistaken_for_placeholders():
    assert render("{% for t in ['a'] %}{{ t }}{% endfor %}{{ contact.name }}", CONTEXT) == "aJune Hart"
    with pytest.raises(InvalidInput, match="not available here; check the names"):
        render("{% for t in [1] %}{{ t.title }}{% endfor %}", CONTEXT)


def test_syntax_errors_give_the_line():
    with pytest.raises(InvalidInput, match="line 2"):
        render("ok\n{% if %}", {})


def test_a_french_reader_is_told_about_a_template_in_french():
    """The sentence is made in the child, in the language of the person told (issue 14)."""
    with i18n.using_locale("fr"):
        with pytest.raises(InvalidInput) as err:
            render("Bonjour {{ contact.prenom }}", CONTEXT)
    assert str(err.value).startswith("Variable inconnue {{ contact.prenom }} dans le texte « modèle »")
    with i18n.using_locale("fr"):
        with pytest.raises(InvalidInput, match="contient une erreur à la ligne 1"):
            check_template("{% if %}")


def test_a_text_filled_in_for_a_french_reader_tells_its_english_writer_in_english():
    with templating.speaking("en"), i18n.using_locale("fr"):
        with pytest.raises(InvalidInput, match=r"^Unknown placeholder \{\{ contact.prenom \}\} in the template"):
            render("Bonjour {{ contact.prenom }}", CONTEXT)
