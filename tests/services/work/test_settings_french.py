"""The settings' sentences in French, and amounts written the French way (issue 14)."""
import pytest

from practice import i18n
from practice.services.errors import InvalidInput
from practice.services.work import catalog


@pytest.mark.parametrize("text, cents", [("150,50", 15050), ("1 250,50 €", 125050), ("1\u202f250,5", 125050),
                                         ("90", 9000), ("150.50", 15050)])
def test_a_french_member_writes_amounts_with_a_decimal_comma(text, cents):
    with i18n.using_locale("fr"):
        assert catalog.parse_money(text) == cents


def test_in_english_the_comma_still_separates_thousands():
    assert catalog.parse_money("$1,250.50") == 125050 and catalog.parse_money("150,50") == 1505000


def test_a_bad_amount_is_refused_in_french():
    with i18n.using_locale("fr"), pytest.raises(InvalidInput) as err:
        catalog.parse_money("douze")
    assert str(err.value) == "« douze » n'est pas un montant ; écrivez-le comme 150 ou 150,50."
    with i18n.using_locale("fr"), pytest.raises(InvalidInput) as err:
        catalog.parse_money("-5")
    assert str(err.value) == "Un montant ne peut pas être négatif."
