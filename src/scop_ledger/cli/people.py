"""The person commands: employment, partnership, shares and refunds (each records one entry,
see write.record)."""

from __future__ import annotations

from datetime import date

import click

from scop_ledger.cli.options import choice, write_options
from scop_ledger.cli.write import record
from scop_ledger.domain.values import LeaveReason, TerminationReason
from scop_ledger.i18n import N_, _

# The bounds of docs/concepts.md, as the options' help says them.
PERSON_NAME = N_("The person's full name (one line, at most 200 characters).")


@click.command(
    help=_(
        "An employment contract starts.\n"
        "\n"
        "\b\n"
        "Example:\n"
        '  scop-ledger hire alice --name "Alice Martin" --date 2020-01-06 --ref "contract '
        '2020-004"'
    ),
)
@click.argument("person")
@click.option("--name", default=None, help=_(PERSON_NAME))
@write_options
@click.pass_context
def hire(
    ctx: click.Context,
    /,
    person: str,
    name: str | None,
    fmt: str,
    on: date | None,
    ref: str | None,
    note: str | None,
) -> None:
    record(ctx, "hire", fmt, on, person=person, name=name, ref=ref, note=note)


@click.command(
    help=_(
        "An employment contract ends (a partner's partnership ends with it, except on "
        "retirement, economic dismissal or invalidity).\n"
        "\n"
        "\b\n"
        "Example:\n"
        "  scop-ledger terminate bob --reason dismissal --date 2017-03-31"
    ),
)
@click.argument("person")
@click.option("--reason", type=choice(TerminationReason), required=True)
@write_options
@click.pass_context
def terminate(
    ctx: click.Context,
    /,
    person: str,
    reason: str,
    fmt: str,
    on: date | None,
    ref: str | None,
    note: str | None,
) -> None:
    record(ctx, "terminate", fmt, on, person=person, reason=reason, ref=ref, note=note)


@click.command(
    help=_(
        "The person becomes a partner; employee or external follows from employment.\n"
        "\n"
        "\b\n"
        "Example:\n"
        '  scop-ledger admit alice --date 2021-01-10 --ref "AGM 2021-01-10"'
    ),
)
@click.argument("person")
@click.option("--name", default=None, help=_(PERSON_NAME))
@click.option("--legal-person", is_flag=True, help=_("A company or association (always external)."))
@write_options
@click.pass_context
def admit(
    ctx: click.Context,
    /,
    person: str,
    name: str | None,
    legal_person: bool,
    fmt: str,
    on: date | None,
    ref: str | None,
    note: str | None,
) -> None:
    record(
        ctx,
        "admit",
        fmt,
        on,
        person=person,
        name=name,
        legal_person=legal_person,
        ref=ref,
        note=note,
    )


@click.command(
    help=_(
        "The partner subscribes shares, paid in full unless --paid says otherwise.\n"
        "\n"
        "\b\n"
        "Example:\n"
        "  scop-ledger subscribe alice --shares 40 --paid 250 --date 2021-01-10"
    ),
)
@click.argument("person")
@click.option("--shares", required=True, help=_("Number of shares (1 to 1,000,000,000)."))
@click.option(
    "--paid",
    default=None,
    help=_(
        "Euros paid now, at most the shares' value (2 decimals at most). Default: the full value."
    ),
)
@write_options
@click.pass_context
def subscribe(
    ctx: click.Context,
    /,
    person: str,
    shares: str,
    paid: str | None,
    fmt: str,
    on: date | None,
    ref: str | None,
    note: str | None,
) -> None:
    record(ctx, "subscribe", fmt, on, person=person, shares=shares, paid=paid, ref=ref, note=note)


@click.command(
    "pay-up",
    help=_(
        "Money paid against subscribed, unpaid shares.\n"
        "\n"
        "\b\n"
        "Example:\n"
        '  scop-ledger pay-up alice --amount 50 --date 2021-02-28 --ref "payslip 2021-02"'
    ),
)
@click.argument("person")
@click.option(
    "--amount",
    required=True,
    help=_("Euros paid against unpaid shares (more than 0, at most 10^12, 2 decimals at most)."),
)
@write_options
@click.pass_context
def pay_up(
    ctx: click.Context,
    /,
    person: str,
    amount: str,
    fmt: str,
    on: date | None,
    ref: str | None,
    note: str | None,
) -> None:
    record(ctx, "pay-up", fmt, on, person=person, amount=amount, ref=ref, note=note)


@click.command(
    help=_(
        "A partial withdrawal of shares; a refund becomes owed (to withdraw all, leave).\n"
        "\n"
        "\b\n"
        "Example:\n"
        "  scop-ledger withdraw alice --shares 10 --date 2023-06-30"
    ),
)
@click.argument("person")
@click.option("--shares", required=True, help=_("Number of shares withdrawn (1 to 1,000,000,000)."))
@write_options
@click.pass_context
def withdraw(
    ctx: click.Context,
    /,
    person: str,
    shares: str,
    fmt: str,
    on: date | None,
    ref: str | None,
    note: str | None,
) -> None:
    record(ctx, "withdraw", fmt, on, person=person, shares=shares, ref=ref, note=note)


@click.command(
    help=_(
        "A transfer of shares to another partner (cession de parts): the shares and their "
        "paid-up euros move, the capital does not change, no refund is owed; transferring every "
        "share ends the partnership.\n"
        "\n"
        "\b\n"
        "Example:\n"
        "  scop-ledger transfer alice --to bob --shares 10 --price 250 --date 2024-03-01"
    ),
)
@click.argument("person")
@click.option("--to", "to", required=True, help=_("The partner who receives the shares."))
@click.option(
    "--shares", required=True, help=_("Number of shares transferred (1 to 1,000,000,000).")
)
@click.option(
    "--price",
    default=None,
    help=_(
        "Euros the receiver pays the sender, recorded for the register (0 to 10^12, "
        "2 decimals at most)."
    ),
)
@write_options
@click.pass_context
def transfer(
    ctx: click.Context,
    /,
    person: str,
    to: str,
    shares: str,
    price: str | None,
    fmt: str,
    on: date | None,
    ref: str | None,
    note: str | None,
) -> None:
    record(
        ctx,
        "transfer",
        fmt,
        on,
        person=person,
        to=to,
        shares=shares,
        price=price,
        ref=ref,
        note=note,
    )


@click.command(
    help=_(
        "Partner status ends; all shares are cancelled and a refund becomes owed. "
        "Resignation and death also end a running employment; exclusion does not.\n"
        "\n"
        "\b\n"
        "Example:\n"
        '  scop-ledger leave carol --reason exclusion --date 2024-05-15 --ref "EGM 2024-05-15"'
    ),
)
@click.argument("person")
@click.option("--reason", type=choice(LeaveReason), required=True)
@write_options
@click.pass_context
def leave(
    ctx: click.Context,
    /,
    person: str,
    reason: str,
    fmt: str,
    on: date | None,
    ref: str | None,
    note: str | None,
) -> None:
    record(ctx, "leave", fmt, on, person=person, reason=reason, ref=ref, note=note)


@click.command(
    "pay-refund",
    help=_(
        "Money paid to a former or withdrawing partner.\n"
        "\n"
        "\b\n"
        "Example:\n"
        '  scop-ledger pay-refund bob --amount 1000 --date 2019-03-31 --ref "transfer 88123"'
    ),
)
@click.argument("person")
@click.option(
    "--amount",
    required=True,
    help=_(
        "Euros paid, oldest refund settled first (more than 0, at most 10^12, 2 decimals at most)."
    ),
)
@write_options
@click.pass_context
def pay_refund(
    ctx: click.Context,
    /,
    person: str,
    amount: str,
    fmt: str,
    on: date | None,
    ref: str | None,
    note: str | None,
) -> None:
    record(ctx, "pay-refund", fmt, on, person=person, amount=amount, ref=ref, note=note)
