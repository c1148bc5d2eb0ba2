"""Organizer templates for tests, built through the services (every show-if checked as the firm's would be), and the
1040 organizer the service and property tests fill."""
from __future__ import annotations

from practice.services.automation.rulesets import catalog_from_db
from practice.services.organizers import questions, templates
from practice.services.organizers.structure import layout


def make_organizer(session, actor, *, name: str = "1040 Organizer", sections: dict[str, list[dict]]):
    """A template with these sections, in order, each a list of questions as `questions.draft_from` reads them; a
    question's "children" are a repeated group's sub-questions."""
    template = templates.create_template(session, actor, name)
    first = layout(session, template).sections[0]
    for n, (title, items) in enumerate(sections.items()):
        if n == 0:
            templates.rename_section(session, actor, first.id, title)
            section = first
        else:
            section = templates.add_section(session, actor, template.id, title)
            session.flush()
        for item in items:
            item = dict(item)
            children = item.pop("children", [])
            q = questions.save_question(session, actor, template.id, questions.draft_from(item),
                                        section_id=section.id, firm_catalog=catalog_from_db)
            session.flush()
            for child in children:
                questions.save_question(session, actor, template.id, questions.draft_from(child),
                                        section_id=section.id, parent_id=q.id, firm_catalog=catalog_from_db)
    return template


# A small 1040 organizer: who the client is, their family (a repeated dependents group shown only to those who have
# dependents), their income (a W-2 upload only for wages, rental questions only for landlords).
ORGANIZER_1040 = {
    "About you": [
        {"label": "Filing status", "key": "filing_status", "kind": "one_of", "required": True,
         "options": "Single\nMFJ\nMFS\nHead of household"},
        {"label": "Spouse's name", "key": "spouse_name", "kind": "short_text", "required": True,
         "show_if": 'answer.filing_status is one of ("MFJ", "MFS")'},
        {"label": "Spouse's birth date", "key": "spouse_birth", "kind": "date",
         "show_if": "answer.spouse_name is not empty"},
        {"label": "Business name", "key": "business", "kind": "short_text", "required": True,
         "show_if": 'account.type is "Company"'},
    ],
    "Family": [
        {"label": "Do you have dependents?", "key": "has_dependents", "kind": "yes_no", "required": True},
        {"label": "Each dependent", "key": "dependents", "kind": "group", "required": True,
         "show_if": "answer.has_dependents is yes",
         "children": [{"label": "Name", "key": "dep_name", "required": True},
                      {"label": "Birth date", "key": "dep_birth", "kind": "date", "required": True},
                      {"label": "SSN", "key": "dep_ssn"}]},
        {"label": "Childcare costs", "key": "childcare", "kind": "money", "required": True,
         "show_if": "answer.dependents > 0"},
    ],
    "Income": [
        {"label": "Kinds of income", "key": "income_kinds", "kind": "several_of", "required": True,
         "options": "Wages\nInterest\nCrypto"},
        {"label": "Your W-2", "key": "w2", "kind": "file", "required": True,
         "show_if": 'answer.income_kinds contains "Wages"'},
        {"label": "Crypto sales", "key": "crypto", "kind": "number", "required": True,
         "show_if": 'answer.income_kinds contains "Crypto"'},
        {"label": "Do you own a rental property?", "key": "has_rental", "kind": "yes_no", "required": True},
        {"label": "Rent received", "key": "rent", "kind": "money", "required": True,
         "show_if": "answer.has_rental is yes"},
        {"label": "Rental expenses", "key": "rental_expenses", "kind": "long_text", "required": True,
         "show_if": "answer.has_rental is yes and answer.rent > 0"},
        {"label": "Anything else we should know?", "key": "notes", "kind": "long_text"},
    ],
}
