"""The ``fr-scop`` rules on what the company must have on record: every financial year's
surplus allocated (and each split as the law requires), a legal representative in office, and
partners who hold shares. Pure functions of a date's :class:`Facts` and :class:`Params`, each
naming its legal source (see ``docs/rules.md``); ids, titles and order in
:mod:`scop_ledger.domain.rules.registry`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from scop_ledger.domain.cooperative_fold import Allocation
from scop_ledger.domain.rules.common import not_applicable, ratio, verdict
from scop_ledger.domain.rules.facts import Check, Facts, Params
from scop_ledger.domain.rules.fr_scop import (
    LEGAL_REPRESENTATIVE,
    PARTNERS_HOLD_SHARES,
    SURPLUS_ALLOCATION,
)
from scop_ledger.domain.rules.text import Joined, Said, Text, Word, text
from scop_ledger.domain.values import LegalForm, Office
from scop_ledger.i18n import N_

#: The offices whose holder represents the company, by legal form: a SARL's manager (Code de
#: commerce L223-18), a SAS's chair (L227-6), an SA's CEO or chair of the board (L225-51-1,
#: L225-56).
REPRESENTATIVES: dict[LegalForm, frozenset[Office]] = {
    LegalForm.SARL: frozenset({Office.MANAGER}),
    LegalForm.SAS: frozenset({Office.CHAIR}),
    LegalForm.SA: frozenset({Office.CEO, Office.CHAIR}),
}
WHO_REPRESENTS = {
    LegalForm.SARL: N_("a manager"),
    LegalForm.SAS: N_("a chair"),
    LegalForm.SA: N_("a CEO or a chair of the board"),
}

# ------------------------------------------------------------------ surplus allocation

#: The minimum parts of a positive surplus (loi 78-763 art. 33).
MINIMUM_PARTS = (
    (N_("legal reserve"), "legal_reserve", Fraction(15, 100)),
    (N_("development fund"), "development_fund", Fraction(1, 100)),
    (N_("employee share"), "employees", Fraction(25, 100)),
)


def split_faults(a: Allocation) -> list[Text]:
    """What the split of one year's surplus does wrong (loi 78-763 art. 33)."""
    parts = a.legal_reserve + a.development_fund + a.employees + a.dividends
    faults = []
    if parts > max(a.surplus, Decimal(0)):
        faults.append(
            text(
                N_("the parts ({parts}) exceed the surplus ({surplus})"),
                parts=parts,
                surplus=a.surplus,
            )
        )
    if a.surplus > 0:
        for name, field, least in MINIMUM_PARTS:
            part = Fraction(getattr(a, field))
            if part < least * Fraction(a.surplus):
                faults.append(
                    text(
                        N_("{name} {share} < {least}"),
                        name=Word(name),
                        share=part / Fraction(a.surplus),
                        least=least,
                    )
                )
    reserves = a.legal_reserve + a.development_fund
    if a.dividends > 0 and a.dividends >= a.employees:
        faults.append(
            text(N_("dividends {dividends} not below the employee share"), dividends=a.dividends)
        )
    if a.dividends > 0 and a.dividends >= reserves:
        faults.append(
            text(N_("dividends {dividends} not below the reserves"), dividends=a.dividends)
        )
    return faults


@lru_cache(maxsize=256)
def recorded(allocations: tuple[Allocation, ...]) -> tuple[tuple[Text, ...], int]:
    """Of the allocations recorded (by year): each faulty year's split, and the first year
    after the first one allocated that is not (cached: the sweep asks on every date, and the
    allocations change a few times a history)."""
    faulty = []
    for a in allocations:
        faults = split_faults(a)
        if faults:
            faulty.append(_year(a, Joined(tuple(faults))))
    done = {a.year for a in allocations}
    year = min(done) + 1
    while year in done:
        year += 1
    return tuple(faulty), year


def surplus_allocation(f: Facts, p: Params) -> Check:
    """From the first financial year with a recorded allocation on, every financial year's
    surplus is allocated within six months of the year's end, when the general meeting
    approves the accounts (Code de commerce L223-26, L225-100); and every year's split keeps
    legal reserve at least 15%, development fund at least 1%, employee share at least 25%,
    dividends lower than the employee share and than the reserves, parts adding up to at most
    the surplus (loi 78-763 art. 33; seed 003)."""
    rule = SURPLUS_ALLOCATION
    if not f.allocations:
        return not_applicable(rule, text(N_("no surplus allocated yet")))
    latest = f.allocations[-1]
    faulty, missing = recorded(f.allocations)
    years = faulty or (_year(latest, text(N_("as the law requires"))),)
    said: list[Said] = [text(N_("{years} (loi 78-763 art. 33)"), years=Joined(years))]
    due = p.allocation_due(missing)
    late = due < f.on
    if late:
        said.insert(
            0,
            text(
                N_(
                    "no allocation of the surplus of {year}, due by {due} (Code de commerce "
                    "L223-26, L225-100)"
                ),
                year=str(missing),
                due=due,
            ),
        )
    share = Fraction(latest.employees) / Fraction(latest.surplus) if latest.surplus > 0 else None
    return verdict(
        rule,
        not faulty and not late,
        None if share is None else ratio(share),
        "0.2500",
        Joined(tuple(said)),
    )


def allocation_holds(f: Facts, p: Params) -> date | None:
    """The last date :func:`surplus_allocation` holds on unchanged allocations: the day the
    first year not allocated is due, until it has passed."""
    if not f.allocations:
        return None
    due = p.allocation_due(recorded(f.allocations)[1])
    return due if f.on <= due else None


def _year(a: Allocation, said: object) -> Text:
    return text(
        N_("surplus of {year} ({surplus}) allocated on {on}: {said}"),
        year=str(a.year),
        surplus=a.surplus,
        on=a.on,
        said=said,
    )


# ------------------------------------------------------------------ the company's officers


def legal_representative(f: Facts, p: Params) -> Check:
    """From the first recorded mandate on, someone represents the company every day, as its
    legal form in force requires: a SARL a manager (Code de commerce L223-18), a SAS a chair
    (L227-6), an SA a CEO or a chair of the board (L225-51-1, L225-56). A breach runs from the
    day the last one's mandate ended."""
    rule = LEGAL_REPRESENTATIVE
    if f.first_mandate is None:
        return not_applicable(rule, text(N_("no mandate recorded")))
    offices = REPRESENTATIVES[f.form]
    in_office = sorted({m.person for m in f.mandates if m.office in offices})
    values = {"form": f.form.value.upper(), "who": Word(WHO_REPRESENTS[f.form])}
    if in_office:
        detail = text(
            N_(
                "{persons} in office to represent the {form} ({who}) (Code de commerce L223-18, "
                "L227-6, L225-51-1)"
            ),
            persons=Joined(tuple(in_office), comma=True),
            **values,
        )
    elif f.representative_ended is not None:
        detail = text(
            N_(
                "nobody in office to represent the {form} ({who}) since {ended}, the end of the "
                "last one's mandate (Code de commerce L223-18, L227-6, L225-51-1)"
            ),
            ended=f.representative_ended,
            **values,
        )
    else:
        detail = text(
            N_(
                "nobody in office to represent the {form} ({who}) (Code de commerce L223-18, "
                "L227-6, L225-51-1)"
            ),
            **values,
        )
    return verdict(rule, bool(in_office), str(len(in_office)), "1", detail)


def partners_hold_shares(f: Facts, p: Params) -> Check:
    """Every partner holds at least one share: a partner is one who has contributed to the
    company (Code civil art. 1832) and is admitted by subscribing shares (the statutes). A
    partner with no share still counts as a partner in the votes (one person, one vote) until
    the ledger records their exit: this rule names them."""
    count = len(f.shareless)
    if not count:
        detail = text(N_("every partner holds at least one share (Code civil art. 1832)"))
    else:
        detail = text(
            N_("{count} partners hold no share: {persons} (Code civil art. 1832)"),
            count=count,
            persons=Joined(f.shareless, comma=True),
        )
    return verdict(PARTNERS_HOLD_SHARES, not count, str(count), "0", detail)
