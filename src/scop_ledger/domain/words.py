"""How a message writes values, numbers and the law's enumerations, in the current language.

English keeps the forms the messages always had (``1,000,000``; ``manager``, the contract's
spelling a user types); French writes ``1 000 000`` and ``gérant``.
"""

from __future__ import annotations

from decimal import Decimal

from scop_ledger.i18n import N_, _, language, money, number


def show(value: object, limit: int = 40) -> str:
    """A value as it goes into a one-line message: its ``repr``, cut to ``limit`` characters."""
    if isinstance(value, int) and abs(value) >= 10**limit:
        return _("a number of more than {limit} digits").format(limit=limit)
    text = repr(value)
    if len(text) <= limit:
        return text
    # Its beginning and its end (a quoted text keeps its closing quote), the middle elided.
    tail = 12
    return text[: limit - tail - 3] + "..." + text[-tail:]


def not_a_date(what: str, value: object) -> str:
    return _("{what} {value} is not a date (YYYY-MM-DD)").format(what=what, value=show(value))


def not_a_moment(what: str, value: object) -> str:
    return _("{what} {value} is not an ISO 8601 date-time").format(what=what, value=show(value))


def bound(n: int) -> str:
    """A bound in a message: ``1,000,000`` but ``2199`` (thousands separated from five digits
    on; in French, ``1 000 000``)."""
    if abs(n) < 10_000:
        return str(n)
    return grouped(n)


def grouped(n: int | Decimal) -> str:
    """A number with its thousands separated: ``1,000`` in English, ``1 000`` in French."""
    return f"{n:,}" if language() == "en" else number(n)


def grouped_euros(amount: Decimal) -> str:
    """An amount with its thousands separated: ``1,000.00`` in English (the sentence says
    "euros"), ``1 000,00 €`` in French."""
    return f"{amount:,}" if language() == "en" else money(amount)


# The offices and reasons of ``domain.values`` by their contract spelling, as a message names
# them (translated where shown, by :func:`label`).
_LABELS: dict[str, str] = {
    "manager": N_("manager"),
    "chair": N_("chair"),
    "ceo": N_("ceo"),
    "director": N_("director"),
    "board-member": N_("board-member"),
    "supervisory-board-member": N_("supervisory-board-member"),
    "resignation": N_("resignation"),
    "dismissal": N_("dismissal"),
    "mutual-agreement": N_("mutual-agreement"),
    "end-of-contract": N_("end-of-contract"),
    "retirement": N_("retirement"),
    "economic-dismissal": N_("economic-dismissal"),
    "invalidity": N_("invalidity"),
    "death": N_("death"),
    "exclusion": N_("exclusion"),
}


def label(value: str) -> str:
    """An office or a reason (its contract spelling) as a message names it."""
    return _(_LABELS.get(str(value), str(value)))


# Every word of the ledger a table, a page or the review pack shows in its cells (statuses,
# movements, causes, categories, offices, actions): the data keeps the English word, and each is
# translated as it is shown (a cause "left:resignation" whole, else word by word). Listed here,
# once, for the catalogues.
LEDGER_WORDS = (
    N_("ok"),
    N_("breach"),
    N_("waived"),
    N_("not-applicable"),
    N_("admission"),
    N_("subscription"),
    N_("payment"),
    N_("withdrawal"),
    N_("refund"),
    N_("loss of status"),
    N_("category change"),
    N_("transfer"),
    N_("share-value"),
    N_("left"),
    N_("resignation"),
    N_("dismissal"),
    N_("mutual-agreement"),
    N_("end-of-contract"),
    N_("retirement"),
    N_("economic-dismissal"),
    N_("invalidity"),
    N_("death"),
    N_("exclusion"),
    N_("employee"),
    N_("external"),
    N_("manager"),
    N_("chair"),
    N_("ceo"),
    N_("director"),
    N_("board-member"),
    N_("supervisory-board-member"),
    N_("hire"),
    N_("terminate"),
    N_("admit"),
    N_("subscribe"),
    N_("pay-up"),
    N_("withdraw"),
    N_("leave"),
    N_("pay-refund"),
    N_("reverse"),
    N_("init"),
    N_("change-form"),
    N_("change-share-value"),
    N_("appoint"),
    N_("end-mandate"),
    N_("review"),
    N_("allocate"),
    N_("employees"),
    N_("externals"),
    N_("paid"),
    N_("terminated:resignation"),
    N_("terminated:dismissal"),
    N_("terminated:mutual-agreement"),
    N_("terminated:end-of-contract"),
    N_("terminated:retirement"),
    N_("terminated:economic-dismissal"),
    N_("terminated:invalidity"),
    N_("terminated:death"),
    N_("left:resignation"),
    N_("left:exclusion"),
    N_("left:death"),
    N_("transferred"),
)
