"""A generator of realistic synthetic cooperative histories, in the import format.

N persons over Y years: employees hired through the period, most admitted after a year or two,
subscribing a few shares every January paid by monthly salary deductions (pay-up), sometimes
withdrawing some; careers end by resignation, dismissal, retirement (the retiree stays an
external partner, and leaves later), economic dismissal or end of contract; departing partners
are refunded in two instalments. A few investors (some legal persons) subscribe large blocks.

Rows come out in effective-date order, as a treasurer would record them. The same share
movements are written as a ledger-cli journal, so both tools can be asked the same question.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

SHARE_VALUE = Decimal("25.00")


@dataclass
class _Person:
    ref: str
    shares: int = 0
    paid: Decimal = Decimal(0)
    partner: bool = False
    owed: Decimal = Decimal(0)


@dataclass
class History:
    start: date
    rows: list[dict[str, object]] = field(default_factory=list)
    journal: list[str] = field(default_factory=list)

    def events_estimate(self, persons: int) -> int:
        consequences = sum(1 for r in self.rows if r["action"] in ("terminate", "leave"))
        return len(self.rows) + persons + consequences + 1


def generate(persons: int, years: int, seed: int = 7, start: date = date(2004, 1, 1)) -> History:
    rng = random.Random(seed)
    end = start.replace(year=start.year + years) - timedelta(days=1)
    dated: list[tuple[date, int, dict[str, object]]] = []
    counter = 0

    def add(on: date, row: dict[str, object]) -> None:
        nonlocal counter
        if on <= end:
            counter += 1
            row["date"] = on.isoformat()
            dated.append((on, counter, row))

    for i in range(persons):
        p = _Person(f"p{i:06d}")
        if rng.random() < 0.04:
            _investor(rng, p, start, end, add)
        else:
            _employee(rng, p, start, end, years, add)
    dated.sort(key=lambda item: (item[0], item[1]))
    history = History(start)
    history.rows = [row for _, _, row in dated]
    history.journal = journal(history.rows)
    return history


def _employee(rng, p: _Person, start: date, end: date, years: int, add) -> None:
    hired = start + timedelta(days=rng.randint(0, max(1, years * 365 - 400)))
    career = timedelta(days=int(rng.uniform(1.5, 24) * 365))
    leaves = hired + career
    add(hired, {"action": "hire", "person": p.ref, "name": f"Worker {p.ref}"})
    if rng.random() < 0.78:
        admitted = hired + timedelta(days=rng.randint(370, 800))
        if admitted < leaves:
            add(admitted, {"action": "admit", "person": p.ref})
            p.partner = True
            first = rng.randint(4, 20)
            add(admitted, {"action": "subscribe", "person": p.ref, "shares": first})
            p.shares, p.paid = first, SHARE_VALUE * first
            year = admitted.year + 1
            while date(year, 1, 15) < min(leaves, end):
                k = rng.randint(2, 10)
                add(
                    date(year, 1, 15),
                    {"action": "subscribe", "person": p.ref, "shares": k, "paid": "0"},
                )
                p.paid += _monthly(add, p, year, k, leaves)
                p.shares += k
                if rng.random() < 0.5 and date(year, 7, 1) < leaves:
                    # A mid-year top-up (a bonus), paid over the six months left.
                    top = rng.randint(1, 6)
                    add(
                        date(year, 7, 1),
                        {"action": "subscribe", "person": p.ref, "shares": top, "paid": "0"},
                    )
                    p.paid += _monthly(add, p, year, top, leaves, months=range(7, 13))
                    p.shares += top
                withdraw_on = date(year, 12, 30)  # after the year's instalments
                if rng.random() < 0.08 and p.shares > 6 and withdraw_on < leaves:
                    w = rng.randint(1, p.shares // 3)
                    add(withdraw_on, {"action": "withdraw", "person": p.ref, "shares": w})
                    unpaid = SHARE_VALUE * p.shares - p.paid
                    refund = max(Decimal(0), SHARE_VALUE * w - unpaid)
                    p.shares, p.paid = p.shares - w, p.paid - refund
                    if refund:
                        add(withdraw_on + timedelta(days=200), _refund(p, refund))
                year += 1
    reason = rng.choices(
        ["resignation", "dismissal", "retirement", "economic-dismissal", "end-of-contract"],
        [50, 15, 20, 5, 10],
    )[0]
    add(leaves, {"action": "terminate", "person": p.ref, "reason": reason})
    if p.partner and reason in ("retirement", "economic-dismissal"):
        later = leaves + timedelta(days=rng.randint(400, 1500))
        add(later, {"action": "leave", "person": p.ref, "reason": "resignation"})
        leaves = later
    if p.partner and p.paid:
        half = (p.paid / 2).quantize(Decimal("0.01"))
        add(leaves + timedelta(days=365), _refund(p, half))
        add(leaves + timedelta(days=730), _refund(p, p.paid - half))


def _refund(p: _Person, amount: Decimal) -> dict[str, object]:
    return {"action": "pay-refund", "person": p.ref, "amount": str(amount)}


def _monthly(
    add, p: _Person, year: int, shares: int, leaves: date, months: range = range(1, 13)
) -> Decimal:
    """Salary deductions: new shares paid in monthly instalments (until the employment ends);
    returns what was paid."""
    total = SHARE_VALUE * shares
    part = (total / len(months)).quantize(Decimal("0.01"))
    paid = Decimal(0)
    for month in months:
        amount = part if month < months[-1] else total - part * (len(months) - 1)
        on = date(year, month, 28)
        if on >= leaves:
            break
        add(on, {"action": "pay-up", "person": p.ref, "amount": str(amount)})
        paid += amount
    return paid


def _investor(rng, p: _Person, start: date, end: date, add) -> None:
    legal = rng.random() < 0.5
    joined = start + timedelta(days=rng.randint(0, 2000))
    add(
        joined,
        {"action": "admit", "person": p.ref, "name": f"Investor {p.ref}", "legal_person": legal},
    )
    shares = rng.randint(100, 2000)
    add(joined, {"action": "subscribe", "person": p.ref, "shares": shares})
    if rng.random() < 0.5:
        add(
            joined + timedelta(days=rng.randint(700, 3000)),
            {"action": "withdraw", "person": p.ref, "shares": shares // 2},
        )


def journal(rows: list[dict[str, object]]) -> list[str]:
    """The same history as a ledger-cli journal: every row a transaction. Shares per partner
    (``Shares:<person>``, in SHR), money paid in (``Paid:<person>``) and refunds paid
    (``Refunds:<person>``) in EUR; employment and admission as ``Events:<person>`` counts."""
    shares: dict[str, int] = {}
    out: list[str] = []
    for row in rows:
        person = str(row.get("person"))
        action = row["action"]
        postings: list[tuple[str, str, str]] = []
        delta = 0
        if action == "subscribe":
            delta = int(row["shares"])  # type: ignore[call-overload]
            paid = Decimal(str(row.get("paid", SHARE_VALUE * delta)))
            if paid:
                postings.append((f"Paid:{person}", "Bank", f"{paid} EUR"))
        elif action == "pay-up":
            postings.append((f"Paid:{person}", "Bank", f"{row['amount']} EUR"))
        elif action == "pay-refund":
            postings.append((f"Refunds:{person}", "Bank", f"{row['amount']} EUR"))
        elif action == "withdraw":
            delta = -int(row["shares"])  # type: ignore[call-overload]
        elif action == "leave" or (
            action == "terminate"
            and row["reason"] not in ("retirement", "economic-dismissal", "invalidity")
        ):
            delta = -shares.get(person, 0)
        if delta:
            shares[person] = shares.get(person, 0) + delta
            postings.append((f"Shares:{person}", "Capital:issued", f"{delta} SHR"))
        if not postings:
            postings.append((f"Events:{person}", "Events:count", "1 EVT"))
        lines = [f"{row['date']} {action} {person}"]
        for account, other, amount in postings:
            negated = amount[1:] if amount.startswith("-") else f"-{amount}"
            lines += [f"    {account}    {amount}", f"    {other}    {negated}"]
        out.append("\n".join(lines) + "\n")
    return out


def write(history: History, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rows = folder / "history.jsonl"
    with rows.open("w") as f:
        for row in history.rows:
            f.write(json.dumps(row) + "\n")
    ledger = folder / "history.ledger"
    ledger.write_text("\n".join(history.journal))
    return rows, ledger


def iter_rows(path: Path) -> Iterator[dict[str, object]]:
    with path.open() as f:
        for line in f:
            yield json.loads(line)


if __name__ == "__main__":
    import sys

    # PERSONS YEARS [FOLDER]: the history's size; with FOLDER, its rows file (for `import`) and
    # its ledger-cli journal written there.
    h = generate(int(sys.argv[1]), int(sys.argv[2]))
    print(len(h.rows), "rows;", h.events_estimate(int(sys.argv[1])), "events (estimate)")
    if len(sys.argv) > 3:
        rows, journal = write(h, Path(sys.argv[3]))
        print(f"{rows} and {journal}; registered on {h.start.isoformat()} (init --date)")
