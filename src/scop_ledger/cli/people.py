"""The person commands: employment, partnership, shares and refunds (each records one entry,
see write.record)."""

from __future__ import annotations

from datetime import date

import click

from scop_ledger.cli.options import choice, write_options
from scop_ledger.cli.write import record
from scop_ledger.domain.values import LeaveReason, TerminationReason

# The bounds of docs/concepts.md, as the options' help says them.
PERSON_NAME = "The person's full name (one line, at most 200 characters)."
AMOUNT_BOUNDS = "more than 0, at most 10^12, 2 decimals at most"


@click.command()
@click.argument("person")
@click.option("--name", default=None, help=PERSON_NAME)
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
    """An employment contract starts.

    \b
    Example:
      scop-ledger hire alice --name "Alice Martin" --date 2020-01-06 --ref "contract 2020-004"
    """
    record(ctx, "hire", fmt, on, person=person, name=name, ref=ref, note=note)


@click.command()
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
    """An employment contract ends (a partner's partnership ends with it, except on
    retirement, economic dismissal or invalidity).

    \b
    Example:
      scop-ledger terminate bob --reason dismissal --date 2017-03-31
    """
    record(ctx, "terminate", fmt, on, person=person, reason=reason, ref=ref, note=note)


@click.command()
@click.argument("person")
@click.option("--name", default=None, help=PERSON_NAME)
@click.option("--legal-person", is_flag=True, help="A company or association (always external).")
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
    """The person becomes a partner; employee or external follows from employment.

    \b
    Example:
      scop-ledger admit alice --date 2021-01-10 --ref "AGM 2021-01-10"
    """
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


@click.command()
@click.argument("person")
@click.option("--shares", required=True, help="Number of shares (1 to 1,000,000,000).")
@click.option(
    "--paid",
    default=None,
    help="Euros paid now, at most the shares' value (2 decimals at most). Default: the full value.",
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
    """The partner subscribes shares, paid in full unless --paid says otherwise.

    \b
    Example:
      scop-ledger subscribe alice --shares 40 --paid 250 --date 2021-01-10
    """
    record(ctx, "subscribe", fmt, on, person=person, shares=shares, paid=paid, ref=ref, note=note)


@click.command("pay-up")
@click.argument("person")
@click.option(
    "--amount", required=True, help=f"Euros paid against unpaid shares ({AMOUNT_BOUNDS})."
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
    """Money paid against subscribed, unpaid shares.

    \b
    Example:
      scop-ledger pay-up alice --amount 50 --date 2021-02-28 --ref "payslip 2021-02"
    """
    record(ctx, "pay-up", fmt, on, person=person, amount=amount, ref=ref, note=note)


@click.command()
@click.argument("person")
@click.option("--shares", required=True, help="Number of shares withdrawn (1 to 1,000,000,000).")
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
    """A partial withdrawal of shares; a refund becomes owed (to withdraw all, leave).

    \b
    Example:
      scop-ledger withdraw alice --shares 10 --date 2023-06-30
    """
    record(ctx, "withdraw", fmt, on, person=person, shares=shares, ref=ref, note=note)


@click.command()
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
    """Partner status ends; all shares are cancelled and a refund becomes owed.
    Resignation and death also end a running employment; exclusion does not.

    \b
    Example:
      scop-ledger leave carol --reason exclusion --date 2024-05-15 --ref "EGM 2024-05-15"
    """
    record(ctx, "leave", fmt, on, person=person, reason=reason, ref=ref, note=note)


@click.command("pay-refund")
@click.argument("person")
@click.option(
    "--amount",
    required=True,
    help=f"Euros paid, oldest refund settled first ({AMOUNT_BOUNDS}).",
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
    """Money paid to a former or withdrawing partner.

    \b
    Example:
      scop-ledger pay-refund bob --amount 1000 --date 2019-03-31 --ref "transfer 88123"
    """
    record(ctx, "pay-refund", fmt, on, person=person, amount=amount, ref=ref, note=note)
