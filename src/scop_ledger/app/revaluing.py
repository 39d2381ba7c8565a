"""A change of the share's nominal value (``change-share-value``): the cooperative records it
(``Cooperative.change_share_value``: a positive value, not the one in force), and every member's
timeline must still fold with the new terms: each holding on the change's date a whole number of
new shares, and every later entry still valid. The members are checked here, where they are
known; a reversal of a change is checked the same way (``UnitOfWork.reverse``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from scop_ledger.app import commands as cmd
from scop_ledger.domain.cooperative import Cooperative
from scop_ledger.domain.entries import EntryMeta
from scop_ledger.domain.errors import Refused
from scop_ledger.domain.member import Member, effective_entries
from scop_ledger.domain.member_fold import MemberFold, TimelineError, consequences
from scop_ledger.domain.share_values import Conversion, advance
from scop_ledger.domain.statutes import Terms
from scop_ledger.i18n import _, day, money


def change_share_value(w: Any, c: cmd.ChangeShareValue, coop: Cooperative, meta: EntryMeta) -> None:
    """Record the change, then refuse it when a member's timeline no longer folds."""
    coop.change_share_value(c.on, c.share_value, meta)
    check_members(w, coop, reversal=False)


def check_members(w: Any, coop: Cooperative, *, reversal: bool) -> None:
    """Fold every member's timeline strictly with the cooperative's terms as they now are
    (after a change of the share value, or its reversal); the first person, by reference,
    whose timeline cannot stand refuses the command."""
    w.forget_terms(coop)
    terms = w.terms(coop)
    for person in sorted(persons(w, coop.slug)):
        member = w.member(coop.slug, person)
        try:
            check(member, terms)
        except TimelineError as error:
            raise refusal(error, person, reversal) from None


def check(member: Member, terms: Terms) -> None:
    """Fold ``member``'s effective timeline strictly with ``terms``; paid never above what the
    shares are worth in the value in force (a back-dated change reinterprets later entries)."""
    entries = sorted(effective_entries(member.log), key=lambda e: (e.on, e.originator_version))
    fold = MemberFold(member.person, terms, consequences=consequences(entries))
    for e in entries:
        fold.apply(e)
        s = fold.state
        worth = s.shares * terms.value_on(e.on)
        if s.paid > worth:
            raise TimelineError(
                e,
                _("{person} would have paid {paid} on shares worth {worth} on {date}").format(
                    person=member.person, paid=money(s.paid), worth=money(worth), date=day(e.on)
                ),
                member.person,
            )
    advance(fold, date.max)


def refusal(error: TimelineError, person: str, reversal: bool) -> Refused:
    """The one line refusing the change (or its reversal) for ``person``'s timeline."""
    entry: Any = error.entry
    if isinstance(entry, Conversion):
        return Refused(error.message, person=person, on=entry.on)
    if reversal:
        text = _(
            "refused: without it, the {action} of {person} on {date} would be invalid: {reason}"
        )
    else:
        text = _("refused: it would invalidate the later {action} of {person} on {date}: {reason}")
    return Refused(
        text.format(action=entry.ACTION, person=person, date=day(entry.on), reason=error.message),
        person=person,
        on=entry.on,
    )


def persons(w: Any, slug: str) -> set[str]:
    """Every person the cooperative knows: in the store, and registered earlier in the batch."""
    found = {
        event.person
        for notification in w.store.notifications(topics=[Member.Registered.TOPIC])
        if isinstance(event := w.store.read(notification), Member.Registered) and event.coop == slug
    }
    found.update(m.person for m in w.members.values() if m is not None and m.coop == slug)
    return found
