"""What a page shows before its load runs is the states' defaults, the same for every reader: a default that is an
English text of the catalog ("All documents", "Choose services") is read by a French member or client, for a moment,
in English. Each such default is empty (the load sets it in the reader's language, or the page shows `t(...)`)."""
from __future__ import annotations

import re

from babel.messages.pofile import read_po

import practice.practice  # noqa: F401 - loads every page and state
from practice import config
from practice.state.documents import AccountDocumentsState
from practice.state.portal_proposals import PortalProposalState
from tests.security.test_state_surface import app_states


def _french() -> dict[str, str]:
    with open(config.ROOT / "practice" / "locale" / "fr" / "LC_MESSAGES" / "messages.po", "rb") as po:
        return {m.id: m.string for m in read_po(po) if m.id and isinstance(m.id, str) and m.string}


IDENTIFIER = re.compile(r"^[a-z_]+$")  # a value the code compares with ("none", "draft"), never shown as it is


def english_defaults() -> list[str]:
    """Every state var whose first value is a text the French catalog translates otherwise."""
    french = _french()
    found = []
    for cls in app_states():
        for name, field in cls.get_fields().items():
            if name not in cls.base_vars:
                continue
            text = field.default
            if isinstance(text, str) and text.strip() and not IDENTIFIER.match(text) and french.get(text, text) != text:
                found.append(f"{cls.__name__}.{name} = {text!r}")
    return found


def test_no_state_starts_with_an_english_text_of_the_catalog():
    assert english_defaults() == []


def test_a_french_readers_first_render_of_the_documents_and_the_proposal_steps_has_no_english():
    french = _french()
    assert french["All documents"] == "Tous les documents"  # what the page shows in its place: t("All documents")
    for state, names in ((AccountDocumentsState, ("folder_label",)),
                         (PortalProposalState, ("step_read", "step_choose", "step_sign"))):
        for name in names:
            first = state.get_fields()[name].default
            assert first not in french, f"{state.__name__}.{name} starts as {first!r}"
