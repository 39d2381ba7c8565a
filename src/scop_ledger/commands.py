"""Commands: what a treasurer asks the ledger to record, validated by pydantic at the edge.

The CLI and the import files build the same models, so a row of a file and a command line are
checked by the same code and produce the same messages.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from scop_ledger.domain.errors import InvalidValue
from scop_ledger.domain.values import (
    LeaveReason,
    LegalForm,
    Office,
    Profile,
    TerminationReason,
    coop_slug,
    parse_money,
    person_ref,
)


def _money(value: Any) -> Decimal:
    return parse_money(value)


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _strict_int(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("must be a whole number")
    if isinstance(value, float | Decimal):
        if value != int(value):
            raise ValueError("must be a whole number")
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if not text.lstrip("+-").isdigit():
            raise ValueError(f"{value!r} is not a whole number")
        return int(text)
    return value


Money = Annotated[Decimal, BeforeValidator(_money)]
OptMoney = Annotated[
    Decimal | None, BeforeValidator(lambda v: None if _blank_to_none(v) is None else _money(v))
]
Int = Annotated[int, BeforeValidator(_strict_int)]
OptText = Annotated[str | None, BeforeValidator(_blank_to_none)]


class Command(BaseModel):
    """Fields every writing command shares."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)
    action: ClassVar[str] = ""

    on: date = Field(default_factory=date.today)
    ref: OptText = None
    note: OptText = None
    source: OptText = None


class PersonCommand(Command):
    person: str

    @field_validator("person")
    @classmethod
    def _person(cls, value: str) -> str:
        return person_ref(value)


class Init(Command):
    action: ClassVar[str] = "init"
    slug: str
    name: str
    legal_form: LegalForm
    share_value: Money
    profile: Profile = Profile.FR_SCOP
    refund_delay_years: Int = 5
    boot_until: date | None = None
    review_every_years: Int = 5
    fiscal_year_end: str = "12-31"
    scop_thresholds: bool | None = None
    external_vote_cap: Decimal = Decimal("0.35")
    supervisory_board_from: Int = 20

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        return coop_slug(value)


class ChangeForm(Command):
    action: ClassVar[str] = "change-form"
    legal_form: LegalForm


class Hire(PersonCommand):
    action: ClassVar[str] = "hire"
    name: OptText = None


class Terminate(PersonCommand):
    action: ClassVar[str] = "terminate"
    reason: TerminationReason


class Admit(PersonCommand):
    action: ClassVar[str] = "admit"
    name: OptText = None
    legal_person: bool = False


class Subscribe(PersonCommand):
    action: ClassVar[str] = "subscribe"
    shares: Int
    paid: OptMoney = None


class PayUp(PersonCommand):
    action: ClassVar[str] = "pay-up"
    amount: Money


class Withdraw(PersonCommand):
    action: ClassVar[str] = "withdraw"
    shares: Int


class Leave(PersonCommand):
    action: ClassVar[str] = "leave"
    reason: LeaveReason


class PayRefund(PersonCommand):
    action: ClassVar[str] = "pay-refund"
    amount: Money


class Appoint(PersonCommand):
    action: ClassVar[str] = "appoint"
    office: Office
    term_years: Int


class EndMandate(PersonCommand):
    action: ClassVar[str] = "end-mandate"
    office: Office


class Review(Command):
    action: ClassVar[str] = "review"
    reviewer: str
    reservations: OptText = None


class Allocate(Command):
    action: ClassVar[str] = "allocate"
    year: Int
    surplus: Money
    legal_reserve: Money
    development_fund: Money
    employees: Money
    dividends: Money


class Reverse(Command):
    action: ClassVar[str] = "reverse"
    event: Int
    reason: str


ACTIONS: dict[str, type[Command]] = {
    cls.action: cls
    for cls in (
        Init,
        ChangeForm,
        Hire,
        Terminate,
        Admit,
        Subscribe,
        PayUp,
        Withdraw,
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
        where = {"on": "date"}.get(where, where).replace("_", "-")
        message = item["msg"]
        ctx = item.get("ctx") or {}
        if "error" in ctx and isinstance(ctx["error"], InvalidValue):
            message = str(ctx["error"])
        elif message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        if item["type"] == "extra_forbidden":
            message = "unknown field"
        value = item.get("input")
        if (
            item["type"] in ("enum", "date_from_datetime_parsing", "date_parsing")
            and value is not None
        ):
            message = f"{value!r}: {message}"
        parts.append(f"{where}: {message}")
    return "; ".join(parts)
