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


@st.composite
def _options(draw: st.DrawFn, spec: dict[str, st.SearchStrategy], required: set[str]) -> Args:
    out: Args = []
    for option, values in spec.items():
        if option in required or draw(st.integers(0, 3)) > 0:
            if values is None:  # a flag
                out.append(option)
            else:
                out.extend([option, draw(values)])
    return out


COMMON = {"--date": v.day, "--ref": v.text, "--note": v.text}
PERSON = {"hire", "terminate", "admit", "subscribe", "pay-up", "withdraw", "leave"} | {
    "pay-refund",
    "appoint",
    "end-mandate",
}
SPECS: dict[str, tuple[dict[str, st.SearchStrategy], set[str]]] = {
    "hire": ({"--name": v.text}, set()),
    "terminate": ({"--reason": v.choice(v.TERMINATIONS)}, {"--reason"}),
    "admit": ({"--name": v.text, "--legal-person": None}, set()),
    "subscribe": ({"--shares": v.number, "--paid": v.number}, {"--shares"}),
    "pay-up": ({"--amount": v.number}, {"--amount"}),
    "withdraw": ({"--shares": v.number}, {"--shares"}),
    "leave": ({"--reason": v.choice(v.LEAVINGS)}, {"--reason"}),
    "pay-refund": ({"--amount": v.number}, {"--amount"}),
    "appoint": (
        {"--office": v.choice(v.OFFICES), "--term-years": v.number},
        {"--office", "--term-years"},
    ),
    "end-mandate": ({"--office": v.choice(v.OFFICES)}, {"--office"}),
    "review": ({"--reviewer": v.text, "--reservations": v.text}, {"--reviewer"}),
    "allocate": (
        {
            "--year": st.one_of(st.sampled_from(["2020", "2021"]), v.number),
            "--surplus": v.number,
            "--legal-reserve": v.number,
            "--development-fund": v.number,
            "--employees": v.number,
            "--dividends": v.number,
        },
        {"--year", "--surplus", "--legal-reserve", "--development-fund", "--employees"}
        | {"--dividends"},
    ),
    "change-form": ({"--legal-form": v.choice(v.FORMS)}, {"--legal-form"}),
    "reverse": ({"--reason": v.text}, {"--reason"}),
    "init": (
        {
            "--name": v.text,
            "--legal-form": v.choice(v.FORMS),
            "--share-value": v.number,
            "--refund-delay-years": v.number,
            "--boot-until": v.day,
            "--review-every-years": v.number,
            "--fiscal-year-end": v.choice(["12-31", "06-30", "02-29", "02-30", "13-01", "1231"]),
            "--external-vote-cap": v.choice(["0.35", "0.49", "1.5", "-0", "NaN", "1e30", "0"]),
            "--supervisory-board-from": v.number,
        },
        {"--name", "--legal-form", "--share-value"},
    ),
}
EVENT_IDS = st.one_of(
    st.integers(1, 12).map(str),
    st.sampled_from(["0", "-1", "9" * 30, "3689348814741911", "１", "1.0", "", "2\n", "0x2"]),
)
SLUGS = v._pool(["acme", "beta"], ["ACME", "a" * 65, "acme\n", "", "-a"], raw=True)


@st.composite
def writing_command(draw: st.DrawFn) -> Args:
    name = draw(st.sampled_from(sorted(SPECS)))
    spec, required = SPECS[name]
    args: Args = []
    if draw(st.integers(0, 9)) == 0:
        args += ["--coop", draw(SLUGS)]
    args.append(name)
    if name in PERSON:
        args.append(draw(v.person))
    elif name == "reverse":
        args.append(draw(EVENT_IDS))
    elif name == "init":
        args.append(draw(SLUGS))
    args += draw(_options({**spec, **COMMON}, required))
    if draw(st.booleans()):
        args += ["--format", "json"]
    return args


USERS = st.one_of(st.just("fuzz"), st.just("fuzz"), v.text)


def test_writing_commands_with_nasty_arguments(fuzz_store: Store) -> None:
    @FUZZ
    @given(commands=st.lists(writing_command(), min_size=1, max_size=2), user=USERS)
    def case(commands: list[Args], user: str | bytes) -> None:
        with fuzz_store.copy() as example:
            for args in commands:
                example.command(args, user=user)
            example.finish()

    case()
