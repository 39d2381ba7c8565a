"""A finding is one English sentence (what the JSON answer carries) that is said in the
current language when shown."""

from __future__ import annotations

from datetime import UTC, date, datetime

from scop_ledger.audit.anchors import Anchor
from scop_ledger.audit.verdict import Text, local
from scop_ledger.i18n import speaking

HASH = "ab" * 32


def test_a_text_is_english_as_a_string_and_french_when_shown() -> None:
    anchor = Anchor(3, HASH, verified_at=datetime(2025, 6, 30, 12, tzinfo=UTC), line=2)
    found = Text(
        "entry {seq} is missing: {anchor} has it, the store does not", seq=3, anchor=anchor.label
    )
    english = (
        f"entry 3 is missing: the anchor of line 2 (3:{HASH}, verified at "
        "2025-06-30T12:00:00+00:00) has it, the store does not"
    )
    with speaking("fr"):
        assert found == english  # made in French, still English as a string
        assert local(found) == (
            f"l'écriture 3 manque : l'ancre de la ligne 2 (3:{HASH}, vérifiée le "
            "2025-06-30T12:00:00+00:00) la contient, la base non"
        )
    assert local(found) == english and found.local() == english
    assert local(None) == "" and local("plain") == "plain"


def test_a_date_in_a_text_is_written_as_the_language_writes_it() -> None:
    text = Text("the anchor {head}", head=date(2024, 12, 31))
    assert text == "the anchor 2024-12-31"
    with speaking("fr"):
        assert text.local() == "l'ancre 31/12/2024"
