"""The rules checker's type, schedule and choice messages in French for a French reader (issue 14): the app passes
its catalog's translation to rules/, which knows nothing of languages."""
import rules
from practice import i18n
from practice.services.automation import rules_check
from practice.services.organizers import conditions


def test_a_french_reader_gets_the_checkers_sentences_and_hints_in_french():
    text = ('rule "r"\nwhen job enters stage "Review"\nif job.priority is "Urgent"\nthen archive job end\n'
            'rule "s" every day at 25:00 for each job where job.name is "x" then archive job end')
    catalog = rules.Catalog(pipelines={"1040": ["Review"]})
    french = rules_check.check_here({"text": text, "catalog": catalog, "language": "fr"})
    said = [(e["message"], e["hint"]) for e in french]
    assert ('« Urgent » n\'est pas une priorité', 'écrivez "Low", "Medium" ou "High"') in said
    assert ("25:00 n'est pas une heure de la journée", "écrivez l'heure sur 24 heures, de 00:00 à 23:59") in said
    english = rules_check.check_here({"text": text, "catalog": catalog, "language": "en"})
    assert ('"Urgent" is not a priority', 'write "Low", "Medium" or "High"') in [(e["message"], e["hint"])
                                                                              for e in english]


def test_a_french_reader_gets_syntax_placeholder_and_trigger_errors_in_french():
    """The parser is given no translation: its errors keep their template and values, told in French by the app."""
    catalog = rules.Catalog(pipelines={"1040": ["Review"]}, tags=["VIP"])

    def french(text):
        return [(e["message"], e["hint"]) for e in rules_check.check_here({"text": text, "catalog": catalog,
                                                                            "language": "fr"})]
    assert french('rule "x" when job is created thenarchive job end') == [
        ('attendu : "then", "for", "if" ou "in" ; trouvé : "thenarchive"', 'mettez une espace après "then" : then archive')]
    assert french('rule "x" when job is created then archive job end.') == [
        ('il y a un "." après "end"', 'retirez le "." : une règle se termine par le mot end seul')]
    assert french('rule "x" when tag "VIP" is added to account then archive job end') == [
        ("ce déclencheur ne porte pas de job, donc archive job ne peut pas être utilisé ici",
         'job est porté par les règles sur une mission (comme "when job enters stage ...") ou "for each job"')]
    assert french('rule "x" when job is created then create task "Call {{ account.nme }}" end') == [
        ("il n'y a pas de variable « account.nme »", 'vouliez-vous dire « account.name » ?')]


def test_an_organizers_show_if_problems_are_told_in_the_readers_language():
    with i18n.using_locale("fr"):
        assert conditions.problems("answer.count >", rules.Catalog()) == [
            "la condition s'arrête trop tôt : attendu : une valeur : un champ comme account.balance, un texte entre "
            "guillemets, un nombre ou une date"]
    assert conditions.problems("answer.count >", rules.Catalog()) == [
        "the condition stops too early: expected a value: a field like account.balance, a text in quotes, a number "
        "or a date"]
