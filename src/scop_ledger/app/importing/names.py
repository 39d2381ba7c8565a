"""The names an import file may use: each column and action in English (the CONTRACT's
spelling, or with dashes for underscores) or in French, in any case, with or without accents
(``Fin de contrat``, ``FIN_DE_CONTRAT`` and ``fin-de-contrat`` are one name); the French words
for the values of the enumerated columns; the words of a yes/no column. An unknown name gets
the closest known spellings as a hint. The tables are the treasurer guide's.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import lru_cache
from typing import Any

from scop_ledger.domain.errors import InvalidValue
from scop_ledger.i18n import _

# Each column of the format (CONTRACT.md) and its French names. A column that the format does
# not have on this release is ignored (see :func:`column_names`).
COLUMN_WORDS: dict[str, tuple[str, ...]] = {
    "action": ("opération",),
    "date": (),
    "person": ("personne",),
    "id": ("identifiant-de-ligne",),
    "shares": ("parts", "nombre-de-parts"),
    "paid": ("libéré", "montant-libéré"),
    "amount": ("montant",),
    "reason": ("motif",),
    "name": ("nom",),
    "office": ("fonction", "mandat"),
    "term_years": ("durée-du-mandat", "durée"),
    "reviewer": ("réviseur",),
    "reservations": ("réserves",),
    "legal_person": ("personne-morale",),
    "year": ("exercice", "année"),
    "surplus": ("excédent", "excédent-net"),
    "legal_reserve": ("réserve-légale",),
    "development_fund": ("fonds-de-développement",),
    "employees": ("part-travail", "ristourne", "salariés"),
    "dividends": ("dividendes",),
    "net_asset_value_per_share": (
        "valeur-d'actif-net-par-part",
        "valeur-d-actif-net-par-part",
        "actif-net-par-part",
    ),
    "legal_form": ("forme-juridique",),
    "to": ("cessionnaire",),
    "price": ("prix",),
    "share_value": ("valeur-nominale",),
    "ref": ("référence", "réf"),
    "note": ("commentaire", "remarque"),
}

# Each action and its French names (an action this release does not import is ignored).
ACTION_WORDS: dict[str, tuple[str, ...]] = {
    "hire": ("embauche",),
    "terminate": ("fin-de-contrat",),
    "admit": ("admission",),
    "subscribe": ("souscription",),
    "pay-up": ("libération",),
    "withdraw": ("retrait",),
    "leave": ("départ",),
    "pay-refund": ("remboursement",),
    "appoint": ("nomination",),
    "end-mandate": ("fin-de-mandat",),
    "review": ("révision",),
    "allocate": ("affectation",),
    "change-form": ("changement-de-forme",),
    "transfer": ("cession", "transfert"),
    "change-share-value": ("changement-de-valeur-nominale",),
}

# The French words for the values of the enumerated columns (the English values are taken in
# any case too). ``reason`` serves ``terminate`` and ``leave``: each takes its own.
VALUE_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "reason": {
        "resignation": ("démission",),
        "dismissal": ("licenciement",),
        "mutual-agreement": ("rupture-conventionnelle",),
        "end-of-contract": ("fin-de-contrat", "fin-de-cdd"),
        "retirement": ("retraite", "départ-à-la-retraite"),
        "economic-dismissal": ("licenciement-économique",),
        "invalidity": ("invalidité",),
        "death": ("décès",),
        "exclusion": (),
    },
    "office": {
        "manager": ("gérant", "gérante"),
        "chair": ("président", "présidente"),
        "ceo": ("directeur-général", "directrice-générale"),
        "director": ("administrateur", "administratrice"),
        "board-member": ("membre-du-directoire",),
        "supervisory-board-member": ("membre-du-conseil-de-surveillance",),
    },
    "legal_form": {"sarl": (), "sas": (), "sa": ()},
}

YES = ("oui", "vrai", "yes", "true", "1", "x", "y")
NO = ("non", "faux", "no", "false", "0", "n", "")
# The words a message lists (``y`` and ``n`` are taken too, as before).
SHOWN_FLAGS = "oui, non, vrai, faux, yes, no, true, false, 1, 0, x"

# The yes/no columns of the format.
FLAG_COLUMNS = ("legal_person",)


@lru_cache(maxsize=4096)  # a file repeats its few actions and words on every row
def fold(text: str) -> str:
    """A name as compared: no accents, lower case, ``_`` and spaces as one ``-``, no space or
    dash at either end (``" Fin_de  Contrat "`` -> ``fin-de-contrat``)."""
    text = unicodedata.normalize("NFKD", text.strip())
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"[\s_\-\u2010-\u2015]+", "-", text)
    return text.strip("-")


class Names:
    """One vocabulary: every spelling (folded) to its name, and how to write each spelling
    in a hint."""

    def __init__(self, words: dict[str, tuple[str, ...]], names: tuple[str, ...]) -> None:
        self.of: dict[str, str] = {}
        self.shown: dict[str, str] = {}
        self.hints: dict[str, str | None] = {}
        for name in names:
            for spelling in (name, *words.get(name, ())):
                self.of.setdefault(fold(spelling), name)
                self.shown.setdefault(fold(spelling), spelling)

    def __contains__(self, written: object) -> bool:
        return self.get(written) is not None

    def get(self, written: Any) -> str | None:
        return self.of.get(fold(str(written)))

    def hint(self, written: Any) -> str | None:
        """The closest known spellings as they are written, or None."""
        key = fold(str(written))
        if key in self.hints:  # a broken file may repeat one mistake on every row
            return self.hints[key]
        found = difflib.get_close_matches(key, list(self.of), n=2, cutoff=0.6)
        hint = " / ".join(repr(self.shown[f]) for f in found) if found else None
        if len(self.hints) < 4096:
            self.hints[key] = hint
        return hint


def column_names(columns: tuple[str, ...]) -> Names:
    return Names(COLUMN_WORDS, columns)


def action_names(actions: tuple[str, ...]) -> Names:
    return Names(ACTION_WORDS, actions)


_VALUES = {column: Names(words, tuple(words)) for column, words in VALUE_WORDS.items()}


def value_of(column: str, value: Any) -> Any:
    """An enumerated column's value as the format spells it (``Retraite`` -> ``retirement``);
    any other value is left as it is, for the command to take or refuse."""
    names = _VALUES.get(column)
    if names is None or not isinstance(value, str):
        return value
    found = names.get(value)
    return value if found is None else found


_FLAGS = {fold(w): w in YES for w in (*YES, *NO)}


def flag(column: str, value: Any) -> bool:
    """A yes/no column's value: one of :data:`YES` or :data:`NO` in any case, with or without
    accents, an empty cell being no; raise :class:`InvalidValue` for anything else."""
    if isinstance(value, bool):
        return value
    key = fold(str(value))
    found = _FLAGS.get(key) if key or not str(value).strip() else None  # "-" is not empty
    if found is None:
        raise InvalidValue(
            _(
                "{column} {value!r} is neither yes nor no (write one of {words}, or leave it empty)"
            ).format(column=column, value=str(value), words=SHOWN_FLAGS)
        )
    return found
