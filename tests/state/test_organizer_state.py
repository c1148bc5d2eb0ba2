"""Templates -> Organizers without a browser: the "new organizer" box keeps what was typed until a template is made
from it. CI once lost a name typed while the page was still loading: the page load remounted the box."""
from __future__ import annotations

import pytest

from practice.db import write_session
from practice.state.organizers import OrganizerTemplatesState
from tests.factories import make_firm


def owner_firm(monkeypatch):
    with write_session() as s:
        staff = make_firm(s)
    monkeypatch.setattr(OrganizerTemplatesState, "_actor", lambda self: staff["owner"])
    return staff


pytestmark = pytest.mark.firm(build=owner_firm)


def test_a_page_load_leaves_the_new_organizer_box_alone(firm):
    page = OrganizerTemplatesState()
    page.load()
    box = page.new_key
    page.load()  # the page's load arriving after the person started typing
    assert page.new_key == box


def test_a_refused_name_stays_in_the_box_and_a_made_template_empties_it(firm):
    page = OrganizerTemplatesState()
    page.load()
    page.create({"name": "1040 Organizer"})
    assert page.open_name == "1040 Organizer" and page.error == ""
    box = page.new_key
    page.create({"name": "1040 organizer"})
    assert page.error == 'There is already an organizer template "1040 Organizer".'
    assert page.new_key == box  # the refused name is still there to correct
    page.create({"name": "1040 Organizer 2027"})
    assert page.error == "" and page.open_name == "1040 Organizer 2027" and page.new_key == box + 1
