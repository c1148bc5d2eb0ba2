"""Who did it, as the audit log and the rules' saved versions show it: people as their names were kept, the
automations in the reader's language (CI's French journeys read the stored "Automation" as untranslated English)."""
from practice.i18n import using_locale
from practice.services.actor import SYSTEM, shown_actor


def test_the_automations_are_named_in_the_readers_language_and_people_as_kept():
    assert (shown_actor(SYSTEM.name), shown_actor(None), shown_actor("")) == ("Automation",) * 3
    with using_locale("fr"):
        assert (shown_actor(SYSTEM.name), shown_actor(None)) == ("Automatisation", "Automatisation")
        assert shown_actor("Ann Admin") == "Ann Admin"
