"""Writing commands with random, often nasty, arguments (and a random ``--user``): every case
exits 0 to 3 with one clear line, a failure writes nothing, and every query still answers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz import values as v
from tests.fuzz.harness import FUZZ, Store

pytestmark = pytest.mark.fuzz

Args = list[str | bytes]


COMMON = {"--date": v.DAY, "--ref": v.TEXT, "--note": v.TEXT}
PERSON = {"hire", "terminate", "admit", "subscribe", "pay-up", "withdraw", "leave"} | {
    "pay-refund",
    "appoint",
    "end-mandate",
    "transfer",
}
AMOUNTS = ["0", "10", "100", "1000"]
SPECS: dict[str, tuple[dict[str, v.Slot | None], set[str]]] = {
    "hire": ({"--name": v.TEXT}, set()),
    "terminate": ({"--reason": v.among(v.TERMINATIONS)}, {"--reason"}),
    "admit": ({"--name": v.TEXT, "--legal-person": None}, set()),
    "subscribe": ({"--shares": v.NUMBER, "--paid": v.NUMBER}, {"--shares"}),
    "pay-up": ({"--amount": v.NUMBER}, {"--amount"}),
    "withdraw": ({"--shares": v.NUMBER}, {"--shares"}),
    "leave": ({"--reason": v.among(v.LEAVINGS)}, {"--reason"}),
    "pay-refund": ({"--amount": v.NUMBER}, {"--amount"}),
    "appoint": (
        {"--office": v.among(v.OFFICES), "--term-years": v.NUMBER},
        {"--office", "--term-years"},
    ),
    "end-mandate": ({"--office": v.among(v.OFFICES)}, {"--office"}),
    "review": ({"--reviewer": v.TEXT, "--reservations": v.TEXT}, {"--reviewer"}),
    "allocate": (
        {
            "--year": v.Slot(["2020", "2021"], v.NUMBERS_BAD),
            "--surplus": v.Slot(AMOUNTS, v.NUMBERS_BAD),
            "--legal-reserve": v.Slot(["0"], v.NUMBERS_BAD),
            "--development-fund": v.Slot(["0"], v.NUMBERS_BAD),
            "--employees": v.Slot(["0"], v.NUMBERS_BAD),
            "--dividends": v.Slot(["0"], v.NUMBERS_BAD),
            "--net-asset-value-per-share": v.Slot(["0", "20"], v.NUMBERS_BAD),
        },
        {"--year", "--surplus", "--legal-reserve", "--development-fund", "--employees"}
        | {"--dividends"},
    ),
    "change-form": ({"--legal-form": v.among(v.FORMS)}, {"--legal-form"}),
    "transfer": (
        {"--to": v.PERSON, "--shares": v.NUMBER, "--price": v.NUMBER},
        {"--to", "--shares"},
    ),
    "change-share-value": ({"--share-value": v.NUMBER}, {"--share-value"}),
    "reverse": ({"--reason": v.TEXT}, {"--reason"}),
    "init": (
        {
            "--name": v.TEXT,
            "--legal-form": v.among(v.FORMS),
            "--share-value": v.NUMBER,
            "--refund-delay-years": v.Slot(["5"], v.NUMBERS_BAD),
            "--boot-until": v.DAY,
            "--review-every-years": v.Slot(["5"], v.NUMBERS_BAD),
            "--fiscal-year-end": v.Slot(["12-31", "06-30"], ["02-29", "02-30", "13-01", "1231"]),
            "--external-vote-cap": v.Slot(["0.35", "0.49"], ["1.5", "-0", "NaN", "1e30", "0"]),
            "--supervisory-board-from": v.Slot(["20"], v.NUMBERS_BAD),
        },
        {"--name", "--legal-form", "--share-value"},
    ),
}
EVENT_ID = v.Slot(
    [str(n) for n in range(2, 12)],
    ["0", "1", "-1", "9" * 30, "3689348814741911", "１", "1.0", "", "2\n", "0x2"],
)
SLUG = v.Slot(["beta", "gamma"], ["ACME", "a" * 65, "beta\n", "", "-a", "Beta"])


@st.composite
def writing_command(draw: st.DrawFn) -> Args:
    """A command with plain arguments, of which one (sometimes two) is given a nasty value:
    so that the nasty value reaches the code behind the door, not only the door."""
    name = draw(st.sampled_from(sorted(SPECS)))
    spec, required = SPECS[name]
    slots: list[tuple[str | None, v.Slot | None]] = []
    if name in PERSON:
        slots.append((None, v.PERSON))
    elif name == "reverse":
        slots.append((None, EVENT_ID))
    elif name == "init":
        slots.append((None, SLUG))
    for option, slot in {**spec, **COMMON}.items():
        if option in required or option == "--date" or draw(st.integers(0, 2)) == 0:
            slots.append((option, slot))
    nasty = set(draw(st.lists(st.integers(0, len(slots) - 1), min_size=0, max_size=2)))
    args: Args = [name]
    for index, (option, slot) in enumerate(slots):
        if option is not None:
            args.append(option)
        if slot is not None:
            args.append(draw(slot.bad if index in nasty else slot.ok))
    if draw(st.integers(0, 9)) == 0:
        args = ["--coop", draw(st.one_of(st.just("acme"), SLUG.bad)), *args]
    if draw(st.booleans()):
        args += ["--format", "json"]
    return args


USERS = st.one_of(st.just("fuzz"), st.just("fuzz"), st.just("fuzz"), v.TEXT.bad)


def test_writing_commands_with_nasty_arguments(fuzz_store: Store) -> None:
    @FUZZ
    @given(commands=st.lists(writing_command(), min_size=1, max_size=2), user=USERS)
    def case(commands: list[Args], user: str | bytes) -> None:
        with fuzz_store.copy() as example:
            for args in commands:
                example.command(args, user=user)
            example.finish()

    case()
