"""Commands: what a treasurer asks the ledger to record, validated by pydantic at the edge.

The CLI and the import files build the same models, so a row of a file and a command line are
checked by the same code and produce the same messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from scop_ledger.app.remembered import by_text as _by_text
from scop_ledger.domain import statutes, values
from scop_ledger.domain.errors import InvalidValue
from scop_ledger.domain.values import (
    LeaveReason,
    LegalForm,
    Office,
    Profile,
    TerminationReason,
    coop_slug,
    person_ref,
)
from scop_ledger.i18n import N_, _

_SHOWN = {"on": "date", "event": "entry id"}  # the names a user sees for these fields


def _what(info: ValidationInfo) -> str:
    """A field's name as the user typed it: ``--term-years`` / ``term_years`` -> ``term-years``."""
    name = info.field_name or "value"
    return _SHOWN.get(name, name).replace("_", "-")


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _optional(check: Callable[[Any, ValidationInfo], Any]) -> Callable[[Any, ValidationInfo], Any]:
    """``check``, except that a missing or blank value is None."""

    def validate(value: Any, info: ValidationInfo) -> Any:
        return None if _blank_to_none(value) is None else check(value, info)

    return validate


def _money(value: Any, info: ValidationInfo) -> Decimal:
    return values.parse_money(value, what=_what(info))


def _amount(value: Any, info: ValidationInfo) -> Decimal:
    return values.positive_money(value, what=_what(info))


def _part(value: Any, info: ValidationInfo) -> Decimal:
    return values.non_negative_money(value, what=_what(info))


def _share_value(value: Any, info: ValidationInfo) -> Decimal:
    return values.share_value(value, what=_what(info))


def _paid(value: Any, info: ValidationInfo) -> Decimal | None:
    # ``--paid ''`` is a mistake, not "paid in full": only a missing value means that.
    if value is None:
        return None
    if isinstance(value, str) and not value.strip():
        raise InvalidValue(
            _("{what} is empty: give an amount, or leave it out for full payment").format(
                what=_what(info)
            )
        )
    return values.non_negative_money(value, what=_what(info))


def _whole(low: int, high: int) -> Callable[[Any, ValidationInfo], int]:
    def validate(value: Any, info: ValidationInfo) -> int:
        if type(value) is int and low <= value <= high:
            return value  # what whole_number gives back for it
        return values.whole_number(value, what=_what(info), low=low, high=high)

    return validate


def _date(value: Any, info: ValidationInfo) -> date:
    return values.parse_date(value, what=_what(info))


def _decimal(value: Any, info: ValidationInfo) -> Decimal:
    """A plain decimal (a fraction such as ``0.35``): ASCII digits, no exponent."""
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and (len(text) > 20 or not _PLAIN_DECIMAL.fullmatch(text)):
        raise InvalidValue(_not_decimal(info, value))
    if isinstance(text, str):
        return Decimal(text)
    if isinstance(text, Decimal) and text.is_finite():
        return text
    raise InvalidValue(_not_decimal(info, value))


def _not_decimal(info: ValidationInfo, value: Any) -> str:
    return _("{what} {value} is not a decimal number").format(
        what=_what(info), value=values.show(value)
    )


def _digits_as_text(value: Any) -> Any:
    """A whole number where text is expected (an employee number, a reference typed in a
    spreadsheet, which keeps it as a number) is that text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _line(limit: int) -> Callable[[Any, ValidationInfo], str]:
    def validate(value: Any, info: ValidationInfo) -> str:
        if type(value) is str and len(value) <= limit and value.isprintable():
            return value  # what single_line gives back for it
        return values.single_line(_digits_as_text(value), what=_what(info), limit=limit)

    return validate


def _note(value: Any, info: ValidationInfo) -> str:
    return values.note_text(value, what=_what(info))


_PLAIN_DECIMAL = re.compile(r"[0-9]*\.?[0-9]+")

# The bounds of docs/concepts.md ("Bounds"), one type each; CLI options and import rows
# both go through them.
Money = Annotated[Decimal, BeforeValidator(_by_text(_money))]
Amount = Annotated[Decimal, BeforeValidator(_by_text(_amount))]
Part = Annotated[Decimal, BeforeValidator(_by_text(_part))]
OptPart = Annotated[Decimal | None, BeforeValidator(_optional(_part))]
ShareValue = Annotated[Decimal, BeforeValidator(_share_value)]
Paid = Annotated[Decimal | None, BeforeValidator(_by_text(_paid))]
Shares = Annotated[int, BeforeValidator(_whole(1, values.MAX_SHARES))]
# The statutes' counts of years (refund delay, review interval) within the wider of their ranges
# (the refund delay's); Cooperative.register holds each to its own.
Years = Annotated[int, BeforeValidator(_whole(*statutes.REFUND_DELAY_RANGE))]
TermYears = Annotated[int, BeforeValidator(_whole(1, values.MAX_TERM_YEARS))]
Year = Annotated[int, BeforeValidator(_whole(values.MIN_YEAR, values.MAX_YEAR))]
EntryId = Annotated[int, BeforeValidator(_whole(1, values.MAX_ENTRY_ID))]
Partners = Annotated[int, BeforeValidator(_whole(*statutes.SUPERVISORY_BOARD_RANGE))]
Date = Annotated[date, BeforeValidator(_by_text(_date))]
OptDate = Annotated[date | None, BeforeValidator(_optional(_date))]
Fraction = Annotated[Decimal, BeforeValidator(_decimal)]
Name = Annotated[str, BeforeValidator(_line(values.MAX_NAME))]
OptName = Annotated[str | None, BeforeValidator(_optional(_line(values.MAX_NAME)))]
OptSource = Annotated[str | None, BeforeValidator(_optional(_line(values.MAX_SOURCE)))]
Note = Annotated[str, BeforeValidator(_note)]
OptNote = Annotated[str | None, BeforeValidator(_optional(_note))]


_person_ref = _by_text(lambda value, _info: person_ref(_digits_as_text(value)))


class Command(BaseModel):
    """Fields every writing command shares."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)
    action: ClassVar[str] = ""

    on: Date = Field(default_factory=date.today)
    ref: OptName = None
    note: OptNote = None
    source: OptSource = None


class PersonCommand(Command):
    person: str

    @field_validator("person", mode="before")
    @classmethod
    def _person(cls, value: Any, info: ValidationInfo) -> str:
        return _person_ref(value, info)


class Init(Command):
    action: ClassVar[str] = "init"
    slug: str
    name: Name
    legal_form: LegalForm
    share_value: ShareValue
    profile: Profile = statutes.PROFILE
    refund_delay_years: Years = statutes.REFUND_DELAY_YEARS
    boot_until: OptDate = None
    review_every_years: Years = statutes.REVIEW_EVERY_YEARS
    fiscal_year_end: str = statutes.FISCAL_YEAR_END
    scop_thresholds: bool | None = None
    external_vote_cap: Fraction = statutes.EXTERNAL_VOTE_CAP
    supervisory_board_from: Partners = statutes.SUPERVISORY_BOARD_FROM

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        return coop_slug(value)


class ChangeForm(Command):
    action: ClassVar[str] = "change-form"
    legal_form: LegalForm


class ChangeShareValue(Command):
    action: ClassVar[str] = "change-share-value"
    share_value: ShareValue


class Hire(PersonCommand):
    action: ClassVar[str] = "hire"
    name: OptName = None


class Terminate(PersonCommand):
    action: ClassVar[str] = "terminate"
    reason: TerminationReason


class Admit(PersonCommand):
    action: ClassVar[str] = "admit"
    name: OptName = None
    legal_person: bool = False


class Subscribe(PersonCommand):
    action: ClassVar[str] = "subscribe"
    shares: Shares
    paid: Paid = None


class PayUp(PersonCommand):
    action: ClassVar[str] = "pay-up"
    amount: Amount


class Withdraw(PersonCommand):
    action: ClassVar[str] = "withdraw"
    shares: Shares


class Transfer(PersonCommand):
    """A transfer of shares from ``person`` to the partner ``to`` (cession de parts)."""

    action: ClassVar[str] = "transfer"
    to: str
    shares: Shares
    price: OptPart = None

    @field_validator("to", mode="before")
    @classmethod
    def _to(cls, value: Any) -> str:
        return person_ref(_digits_as_text(value))


class Leave(PersonCommand):
    action: ClassVar[str] = "leave"
    reason: LeaveReason


class PayRefund(PersonCommand):
    action: ClassVar[str] = "pay-refund"
    amount: Amount


class Appoint(PersonCommand):
    action: ClassVar[str] = "appoint"
    office: Office
    term_years: TermYears


class EndMandate(PersonCommand):
    action: ClassVar[str] = "end-mandate"
    office: Office


class Review(Command):
    action: ClassVar[str] = "review"
    reviewer: Name
    reservations: OptNote = None


class Allocate(Command):
    action: ClassVar[str] = "allocate"
    year: Year
    surplus: Money
    legal_reserve: Part
    development_fund: Part
    employees: Part
    dividends: Part
    net_asset_value_per_share: OptPart = None


class Reverse(Command):
    action: ClassVar[str] = "reverse"
    event: EntryId
    reason: Note


ACTIONS: dict[str, type[Command]] = {
    cls.action: cls
    for cls in (
        Init,
        ChangeForm,
        ChangeShareValue,
        Hire,
        Terminate,
        Admit,
        Subscribe,
        PayUp,
        Withdraw,
        Transfer,
        Leave,
        PayRefund,
        Appoint,
        EndMandate,
        Review,
        Allocate,
        Reverse,
    )
}


def build(cls: type[Command], **fields: Any) -> Command:
    """Validate ``fields`` into ``cls``; a failure becomes one clear :class:`InvalidValue`."""
    try:
        return cls(**fields)
    except ValidationError as error:
        raise InvalidValue(describe(error)) from None
    except InvalidValue:
        raise


def describe(error: ValidationError) -> str:
    """pydantic's errors as one line: ``field: message; field: message``."""
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "value"
        where = _SHOWN.get(where, where).replace("_", "-")
        message = item["msg"]
        ctx = item.get("ctx") or {}
        if "error" in ctx and isinstance(ctx["error"], InvalidValue):
            message = str(ctx["error"])
            if message.startswith(f"{where} ") or message.startswith(f"{where.replace('-', ' ')} "):
                parts.append(message)  # it names its field already
                continue
        elif message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        else:
            message = _(_PYDANTIC.get(message, message))
        if item["type"] == "extra_forbidden":
            message = _("unknown field")
        value = item.get("input")
        if (
            item["type"] in ("enum", "date_from_datetime_parsing", "date_parsing")
            and value is not None
        ):
            message = _("{value}: {reason}").format(value=repr(value), reason=message)
        parts.append(_("{field}: {reason}").format(field=where, reason=message))
    return "; ".join(parts)


# pydantic's messages a user may meet, marked for translation.
_PYDANTIC = {
    "Field required": N_("Field required"),
    "Input should be a valid boolean": N_("Input should be a valid boolean"),
    "Input should be a valid date": N_("Input should be a valid date"),
}
