"""The names an import file may use: English or French, any case, accents or not, dashes or
underscores; hints for a name close to a known one; the yes/no words."""

from __future__ import annotations

import pytest

from scop_ledger.app.importing.names import COLUMN_WORDS, flag, fold, value_of
from scop_ledger.app.importing.rows import COLUMNS, IMPORT_ACTIONS, action_of, column_of
from scop_ledger.domain.errors import InvalidValue
from scop_ledger.i18n import speaking


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("Fin de contrat", "fin-de-contrat"),
        ("FIN_DE_CONTRAT", "fin-de-contrat"),
        ("  fin-de-contrat ", "fin-de-contrat"),
        ("Réserve   légale", "reserve-legale"),
        ("LIBÉRATION", "liberation"),
        ("legal_reserve", "legal-reserve"),
    ],
)
def test_a_name_is_folded_to_one_spelling(written: str, folded: str) -> None:
    assert fold(written) == folded


@pytest.mark.parametrize(
    ("written", "column"),
    [
        ("opération", "action"),
        ("Operation", "action"),
        ("Action", "action"),
        ("DATE", "date"),
        ("personne", "person"),
        ("nom", "name"),
        ("parts", "shares"),
        ("libéré", "paid"),
        ("Montant libéré", "paid"),
        ("montant", "amount"),
        ("motif", "reason"),
        ("fonction", "office"),
        ("durée du mandat", "term_years"),
        ("réviseur", "reviewer"),
        ("réserves", "reservations"),
        ("personne morale", "legal_person"),
        ("Personne_Morale", "legal_person"),
        ("legal-person", "legal_person"),
        ("exercice", "year"),
        ("excédent", "surplus"),
        ("réserve-légale", "legal_reserve"),
        ("Reserve legale", "legal_reserve"),
        ("fonds de développement", "development_fund"),
        ("part travail", "employees"),
        ("ristourne", "employees"),
        ("dividendes", "dividends"),
        ("forme juridique", "legal_form"),
        ("Term-Years", "term_years"),
        ("référence", "ref"),
        ("commentaire", "note"),
        ("id", "id"),
        ("Valeur d'actif net par part", "net_asset_value_per_share"),
        ("net-asset-value-per-share", "net_asset_value_per_share"),
    ],
)
def test_a_column_has_its_french_and_english_spellings(written: str, column: str) -> None:
    assert column_of(written) == column


def test_every_column_of_the_format_can_be_written_in_french() -> None:
    for column in COLUMNS:
        assert column in COLUMN_WORDS, column
        assert column == "date" or COLUMN_WORDS[column], column


@pytest.mark.parametrize(
    ("written", "action"),
    [
        ("embauche", "hire"),
        ("Fin de contrat", "terminate"),
        ("FIN_DE_CONTRAT", "terminate"),
        ("fin-de-contrat", "terminate"),
        ("admission", "admit"),
        ("Souscription", "subscribe"),
        ("libération", "pay-up"),
        ("LIBERATION", "pay-up"),
        ("retrait", "withdraw"),
        ("départ", "leave"),
        ("remboursement", "pay-refund"),
        ("nomination", "appoint"),
        ("fin de mandat", "end-mandate"),
        ("révision", "review"),
        ("affectation", "allocate"),
        ("changement de forme", "change-form"),
        ("pay_up", "pay-up"),
        ("Pay Up", "pay-up"),
        ("END-MANDATE", "end-mandate"),
    ],
)
def test_an_action_has_its_french_and_english_spellings(written: str, action: str) -> None:
    assert action_of(written) == action


def test_every_action_of_the_format_has_a_french_name() -> None:
    french = {
        "hire": "embauche",
        "terminate": "fin-de-contrat",
        "admit": "admission",
        "subscribe": "souscription",
        "pay-up": "libération",
        "withdraw": "retrait",
        "leave": "départ",
        "pay-refund": "remboursement",
        "appoint": "nomination",
        "end-mandate": "fin-de-mandat",
        "review": "révision",
        "allocate": "affectation",
        "change-form": "changement-de-forme",
        "transfer": "cession",
        "change-share-value": "changement-de-valeur-nominale",
    }
    assert {a: action_of(w) for a, w in french.items() if a in IMPORT_ACTIONS} == {
        a: a for a in IMPORT_ACTIONS
    }


def test_an_unknown_action_close_to_a_known_one_gets_a_hint() -> None:
    with pytest.raises(InvalidValue) as raised:
        action_of("souscripton")
    assert raised.value.message == (
        "action 'souscripton' is unknown; did you mean 'souscription' / 'subscribe'?"
    )
    with pytest.raises(InvalidValue) as raised:
        action_of("hier")
    assert "did you mean 'hire'?" in raised.value.message
    with pytest.raises(InvalidValue) as raised:
        action_of("dance")
    assert raised.value.message.startswith("action 'dance' is not one of hire, terminate")


def test_a_reversal_is_not_imported_and_says_which_command_records_it() -> None:
    for written in ("reverse", "Annulation"):
        with pytest.raises(InvalidValue, match="record it with the reverse command"):
            action_of(written)


def test_the_hint_speaks_french_under_french() -> None:
    with speaking("fr"), pytest.raises(InvalidValue) as raised:
        action_of("embauch")
    assert raised.value.message == "opération 'embauch' inconnue ; vouliez-vous dire 'embauche' ?"


@pytest.mark.parametrize("word", ["oui", "OUI", "Vrai", "yes", "TRUE", "1", "x", "X", "y", " oui "])
def test_yes_words(word: str) -> None:
    assert flag("legal_person", word) is True


@pytest.mark.parametrize("word", ["non", "Non", "FAUX", "no", "False", "0", "", "n"])
def test_no_words(word: str) -> None:
    assert flag("legal_person", word) is False


@pytest.mark.parametrize("word", ["peut-être", "2", "oui non", "-"])
def test_any_other_word_names_the_column_and_the_words(word: str) -> None:
    with pytest.raises(InvalidValue) as raised:
        flag("legal_person", word)
    assert raised.value.message == (
        f"legal_person {word!r} is neither yes nor no (write one of oui, non, vrai, faux, "
        "yes, no, true, false, 1, 0, x, or leave it empty)"
    )


@pytest.mark.parametrize(
    ("column", "written", "value"),
    [
        ("reason", "Retraite", "retirement"),
        ("reason", "démission", "resignation"),
        ("reason", "Licenciement économique", "economic-dismissal"),
        ("reason", "rupture conventionnelle", "mutual-agreement"),
        ("reason", "DÉCÈS", "death"),
        ("reason", "Mutual_Agreement", "mutual-agreement"),
        ("office", "Gérant", "manager"),
        ("office", "présidente", "chair"),
        ("office", "directeur général", "ceo"),
        ("office", "membre du conseil de surveillance", "supervisory-board-member"),
        ("legal_form", "SARL", "sarl"),
        ("reason", "holiday", "holiday"),  # left for the command to refuse
    ],
)
def test_enumerated_values_take_french_words(column: str, written: str, value: str) -> None:
    assert value_of(column, written) == value
