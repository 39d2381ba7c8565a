"""The Cooperative aggregate: registration and statutes, legal form, mandates, reviews and
surplus allocations.

Like a member, a cooperative's state on a date is a fold over its effective entries
(:func:`replay_cooperative`), and every command replays the candidate timeline first.

Legal sources: seed 003 (legal forms, change of form at any time, mandates, reviews, surplus);
loi 78-763 (Scop statute); loi ESS 2014 art. 49 ter (Scop d'amorçage, ``boot_until``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from eventsourcing.domain import Aggregate

from scop_ledger.domain import entries
from scop_ledger.domain.cooperative_fold import (
    CoopState,
    CoopTimelineError,
    allocation_fields,
    replay_cooperative,
)
from scop_ledger.domain.entries import NAMESPACE, EntryMeta
from scop_ledger.domain.errors import InvalidValue, Refused
from scop_ledger.domain.share_values import schedule
from scop_ledger.domain.statutes import Statutes, Terms
from scop_ledger.domain.values import (
    MAX_TERM_YEARS,
    LegalForm,
    Office,
    share_value,
)
from scop_ledger.i18n import _, day


def cooperative_id(slug: str) -> uuid.UUID:
    """A cooperative's aggregate id: uuid5 of its slug."""
    return uuid.uuid5(NAMESPACE, f"coop:{slug}")


class Cooperative(Aggregate):
    """A cooperative: its id is :func:`cooperative_id` (slug)."""

    TOPIC = "scop-ledger:Cooperative"

    class Event(Aggregate.Event):
        """Base of the cooperative's events (``class_version`` as for the member's)."""

        class_version = 1

    class Entry(Event):
        """An entry: an event with an effective date and its source."""

        TOPIC = "scop-ledger:Cooperative.Entry"
        ACTION: ClassVar[str] = ""
        on: date
        ref: str | None
        note: str | None
        recorded_by: str
        source: str | None

        def apply(self, aggregate: Any) -> None:
            aggregate.log.append(self)

    class Registered(Aggregate.Created, Entry):
        """The cooperative was registered (or converted into a Scop) with these statutes."""

        TOPIC = "scop-ledger:Cooperative.Registered"
        ACTION = "init"
        slug: str
        name: str
        legal_form: str
        share_value: Decimal
        profile: str
        refund_delay_years: int
        boot_until: date | None
        review_every_years: int
        fiscal_year_end: str
        scop_thresholds: bool | None
        external_vote_cap: Decimal
        supervisory_board_from: int

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Registrations recorded before the statutes' rule options: the defaults of the
            time, kept literal here (an upcast describes entries already recorded)."""
            state["scop_thresholds"] = None
            state["external_vote_cap"] = Decimal("0.35")
            state["supervisory_board_from"] = 20

    Created = Registered

    class LegalFormChanged(Entry):
        """The partners changed the legal form (seed 003: allowed at any time)."""

        TOPIC = "scop-ledger:Cooperative.LegalFormChanged"
        ACTION = "change-form"
        legal_form: str

    class ShareValueChanged(Entry):
        """The share's nominal value changed: every holding is regrouped or split into shares
        of the new value, keeping its amount (domain/share_values.py)."""

        TOPIC = "scop-ledger:Cooperative.ShareValueChanged"
        ACTION = "change-share-value"
        share_value: Decimal

    class MandateAppointed(Entry):
        TOPIC = "scop-ledger:Cooperative.MandateAppointed"
        ACTION = "appoint"
        person: str
        office: str
        term_years: int

    class MandateEnded(Entry):
        TOPIC = "scop-ledger:Cooperative.MandateEnded"
        ACTION = "end-mandate"
        person: str
        office: str

    class ReviewCompleted(Entry):
        TOPIC = "scop-ledger:Cooperative.ReviewCompleted"
        ACTION = "review"
        reviewer: str
        reservations: str | None

    class SurplusAllocated(Entry):
        TOPIC = "scop-ledger:Cooperative.SurplusAllocated"
        ACTION = "allocate"
        year: int
        surplus: Decimal
        legal_reserve: Decimal
        development_fund: Decimal
        employees: Decimal
        dividends: Decimal
        net_asset_value_per_share: Decimal | None

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Allocations recorded before the net asset value per share: none given."""
            state["net_asset_value_per_share"] = None

    class EntryReversed(Entry):
        TOPIC = "scop-ledger:Cooperative.EntryReversed"
        ACTION = "reverse"
        target: int
        versions: list[int]
        reason: str

    def __init__(self, slug: str) -> None:
        self.slug = slug
        self.log: list[Cooperative.Entry] = []

    # ----------------------------------------------------------------- creation

    @classmethod
    def register(
        cls,
        slug: str,
        name: str,
        legal_form: LegalForm,
        statutes: Statutes,
        on: date,
        meta: EntryMeta,
    ) -> Cooperative:
        """Register a cooperative on ``on`` (its registration or conversion date)."""
        if not name.strip():
            raise InvalidValue(_("the cooperative needs a name"))
        statutes.check(on)
        return cls._create(
            cls.Registered,
            id=cooperative_id(slug),
            slug=slug,
            name=name.strip(),
            legal_form=legal_form.value,
            **statutes.as_fields(),
            on=on,
            **meta.as_kwargs(),
        )

    # ----------------------------------------------------------------- queries

    @property
    def registration(self) -> Cooperative.Registered:
        first = self.log[0]
        assert isinstance(first, Cooperative.Registered)
        return first

    @property
    def terms(self) -> Terms:
        """What a member's timeline needs of this cooperative (its share value changes too)."""
        return Terms.of(self.registration, schedule(effective_entries(self.log)))

    def state(self, until: date | None = None, known_at: datetime | None = None) -> CoopState:
        entries = effective_entries(self.log, known_at)
        if until is not None:
            entries = [e for e in entries if e.on <= until]
        return replay_cooperative(self.registration, entries, strict=False)

    def entry(self, version: int) -> Cooperative.Entry | None:
        for e in self.log:
            if e.originator_version == version:
                return e
        return None

    # ----------------------------------------------------------------- commands

    def change_form(self, on: date, legal_form: LegalForm, meta: EntryMeta) -> None:
        self._record(self.LegalFormChanged, meta, on=on, legal_form=legal_form.value)

    def change_share_value(self, on: date, value: Decimal, meta: EntryMeta) -> None:
        """A regrouping or a split of the shares; the holdings are checked by the caller
        (app/revaluing.py), who knows the members."""
        self._record(self.ShareValueChanged, meta, on=on, share_value=share_value(value))

    def appoint(
        self, on: date, person: str, office: Office, term_years: int, meta: EntryMeta
    ) -> None:
        if (
            isinstance(term_years, bool)
            or not isinstance(term_years, int)
            or not 1 <= term_years <= MAX_TERM_YEARS
        ):
            raise InvalidValue(
                _("term of {years} years is not a whole number from 1 to {maximum}").format(
                    years=repr(term_years), maximum=MAX_TERM_YEARS
                )
            )
        self._record(
            self.MandateAppointed,
            meta,
            on=on,
            person=person,
            office=office.value,
            term_years=term_years,
        )

    def end_mandate(self, on: date, person: str, office: Office, meta: EntryMeta) -> None:
        self._record(self.MandateEnded, meta, on=on, person=person, office=office.value)

    def review(self, on: date, reviewer: str, reservations: str | None, meta: EntryMeta) -> None:
        if not reviewer.strip():
            raise InvalidValue(_("the review needs the reviewer's name"))
        self._record(
            self.ReviewCompleted, meta, on=on, reviewer=reviewer.strip(), reservations=reservations
        )

    def allocate(
        self,
        on: date,
        year: int,
        surplus: Decimal,
        legal_reserve: Decimal,
        development_fund: Decimal,
        employees: Decimal,
        dividends: Decimal,
        meta: EntryMeta,
        net_asset_value_per_share: Decimal | None = None,
    ) -> None:
        """The general meeting approved a year's accounts and allocated its net surplus (with,
        optionally, the net asset value per share those accounts show). Breaking the
        allocation rule is a compliance finding, not a refusal; impossible values are refused."""
        parts = {
            "legal_reserve": legal_reserve,
            "development_fund": development_fund,
            "employees": employees,
            "dividends": dividends,
        }
        fields = allocation_fields(year, surplus, parts, net_asset_value_per_share)
        if year < self.registration.on.year:
            raise Refused(
                _("{year} is before the cooperative's registration on {registered}").format(
                    year=year, registered=day(self.registration.on)
                ),
                on=on,
            )
        self._record(self.SurplusAllocated, meta, on=on, **fields)

    def reverse(self, on: date, version: int, reason: str, meta: EntryMeta) -> None:
        target = self.entry(version)
        if target is None:
            raise Refused(
                _("the cooperative has no entry with version {version}").format(version=version)
            )
        if isinstance(target, self.Registered):
            raise Refused(_("the registration (init) cannot be reversed"), on=target.on)
        if isinstance(target, self.EntryReversed):
            raise Refused(_("a reversal cannot be reversed"), on=target.on)
        if version in reversed_versions(self.log):
            raise Refused(
                _("that {action} entry of {date} is already reversed").format(
                    action=target.ACTION, date=day(target.on)
                ),
                on=target.on,
            )
        if not reason.strip():
            raise InvalidValue(_("a reversal needs a reason"))
        remaining = [e for e in effective_entries(self.log) if e.originator_version != version]
        try:
            replay_cooperative(self.registration, remaining)
        except CoopTimelineError as error:
            raise Refused(
                _("refused: without it, the {action} of {date} would be invalid: {reason}").format(
                    action=error.entry.ACTION, date=day(error.entry.on), reason=error.message
                ),
                on=error.entry.on,
            ) from None
        self.trigger_event(
            self.EntryReversed,
            on=on,
            target=version,
            versions=[version],
            reason=reason.strip(),
            **meta.as_kwargs(),
        )

    # ----------------------------------------------------------------- internals

    def _record(self, cls: type[Cooperative.Entry], meta: EntryMeta, **kwargs: Any) -> None:
        on: date = kwargs["on"]
        reg = self.registration
        if on < reg.on:
            raise Refused(
                _("{date} is before the cooperative's registration on {registered}").format(
                    date=day(on), registered=day(reg.on)
                ),
                on=on,
            )
        draft = cls(
            originator_id=self.id,
            originator_version=self.version + 1,
            timestamp=Cooperative.Event.create_timestamp(),
            **kwargs,
            **meta.as_kwargs(),
        )
        candidate = [*effective_entries(self.log), draft]
        try:
            replay_cooperative(reg, candidate)
        except CoopTimelineError as error:
            if error.entry is draft:
                raise
            raise Refused(
                _("refused: it would invalidate the later {action} of {date}: {reason}").format(
                    action=error.entry.ACTION, date=day(error.entry.on), reason=error.message
                ),
                on=error.entry.on,
            ) from None
        fields = {
            k: v for k, v in vars(draft).items() if k not in ("originator_id", "originator_version")
        }
        self.trigger_event(cls, **fields)


def reversed_versions(
    log: Iterable[Cooperative.Entry], known_at: datetime | None = None
) -> dict[int, int]:
    """Map each reversed version to the version of its reversal (as known at ``known_at``)."""
    return entries.reversed_by(log, Cooperative.EntryReversed, known_at)


def effective_entries(
    log: Iterable[Cooperative.Entry], known_at: datetime | None = None
) -> list[Cooperative.Entry]:
    """The entries that count as known at ``known_at``, by date then recorded order."""
    return entries.effective(log, Cooperative.EntryReversed, known_at)
