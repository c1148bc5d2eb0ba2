"""A French member's two-factor sentences are French; an English one keeps English (issue 14)."""
from __future__ import annotations

import pytest

from practice import i18n
from practice.db import write_session
from practice.services.access import two_factor
from practice.services.errors import Conflict, InvalidInput, PermissionDenied


def said(error, fn, *args, language: str) -> str:
    with i18n.using_locale(language), pytest.raises(error) as err, write_session() as s:
        fn(s, *args)
    return str(err.value)


def test_two_factor_refusals_are_said_in_the_members_language(people):
    emma = people["emma"]
    assert said(Conflict, two_factor.turn_off, emma, "123456", language="fr") == \
        "La connexion en deux étapes n'est pas activée."
    assert said(Conflict, two_factor.confirm_setup, emma, "123456", language="fr").startswith(
        "Commencez d'abord la configuration : choisissez « Activer la connexion en deux étapes »")
    with write_session() as s:
        two_factor.start_setup(s, emma)
    assert said(InvalidInput, two_factor.confirm_setup, emma, "000000", language="fr").startswith(
        "Ce code n'est pas le bon.")
    with write_session() as s:
        two_factor.set_required(s, people["owner"], True)
    assert said(PermissionDenied, two_factor.turn_off, emma, "1", language="fr") == (
        "Le cabinet impose la connexion en deux étapes à tous les collaborateurs : elle ne peut pas être désactivée.")
    assert said(PermissionDenied, two_factor.turn_off, emma, "1", language="en") == (
        "The firm requires two-factor sign-in for all staff, so it cannot be turned off.")
