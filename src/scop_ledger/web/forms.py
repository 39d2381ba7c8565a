"""The forms of the writing commands, described once: each action the import format takes
(``app.importing.IMPORT_ACTIONS``) has a form whose fields are its import columns, typed from
the command's own model (``app.commands.ACTIONS``): a date picker, a whole number, an amount, a
person picker, a select of the enumeration's values with their translated labels, a yes/no box,
a line of text or a note. ONE template (``entry.html.j2``) draws every form and ONE handler
(:mod:`scop_ledger.web.writing`) records it as an import row, so the web checks nothing the
CLI does not: the row's command is built and refused by ``app/`` alone."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Any

from scop_ledger.app import commands as cmd
from scop_ledger.app.importing import COLUMNS, IMPORT_ACTIONS
from scop_ledger.app.importing.forms import MONEY_COLUMNS
from scop_ledger.domain.words import label as word
from scop_ledger.i18n import N_, _, yes_no

# The title of each action's form.
TITLES = {
    "hire": N_("Record a hiring"),
    "terminate": N_("Record the end of an employment contract"),
    "admit": N_("Record an admission"),
    "subscribe": N_("Record a subscription"),
    "pay-up": N_("Record a payment of shares"),
    "withdraw": N_("Record a withdrawal of shares"),
    "leave": N_("Record a partner's departure"),
    "pay-refund": N_("Record a refund paid"),
    "transfer": N_("Record a transfer of shares between partners"),
    "appoint": N_("Record an appointment"),
    "end-mandate": N_("Record the end of a mandate"),
    "review": N_("Record a cooperative review"),
    "allocate": N_("Record a surplus allocation"),
    "change-form": N_("Record a change of legal form"),
    "change-share-value": N_("Record a change of the share's nominal value"),
}
# The person commands first, then the cooperative's own acts (as the index lists them).
COOPERATIVE = ("appoint", "end-mandate", "review", "allocate", "change-form", "change-share-value")

# How each column of the import format is labelled on a form.
LABELS = {
    "date": N_("Date"),
    "person": N_("Person"),
    "to": N_("To (the partner receiving the shares)"),
    "price": N_("Price paid by the receiver (optional)"),
    "net_asset_value_per_share": N_("Net asset value per share (approved accounts)"),
    "shares": N_("Shares"),
    "paid": N_("Paid (default: in full)"),
    "amount": N_("Amount"),
    "reason": N_("Reason"),
    "name": N_("Name"),
    "office": N_("Office"),
    "term_years": N_("Term (years)"),
    "reviewer": N_("Reviewer"),
    "reservations": N_("Reservations"),
    "legal_person": N_("A legal person (company or association)"),
    "year": N_("Financial year"),
    "surplus": N_("Net surplus"),
    "legal_reserve": N_("Legal reserve"),
    "development_fund": N_("Development fund"),
    "employees": N_("Employees' share (ristourne)"),
    "dividends": N_("Dividends"),
    "legal_form": N_("Legal form"),
    "share_value": N_("New nominal value of a share"),
    "profile": N_("Rule profile"),
    "refund_delay_years": N_("Refund delay (years)"),
    "boot_until": N_("Scop d'amorçage: majority waiver until (optional)"),
    "review_every_years": N_("Cooperative review every (years)"),
    "fiscal_year_end": N_("Financial year end (MM-DD)"),
    "scop_thresholds": N_("The 51% / 65% thresholds and vote weighting"),
    "external_vote_cap": N_("External partners' ceiling of the votes"),
    "supervisory_board_from": N_("Partners from which a SARL needs a supervisory board"),
    "ref": N_("Reference"),
    "note": N_("Note"),
}
# How a choice's value is shown, when it is not a word of the ledger (domain.words).
CHOICES = {
    "fr-scop": N_("Scop (France)"),
    "be-cnc": N_("Cooperative accredited by the CNC (Belgium)"),
}
_WHOLE = ("shares", "term_years", "year")
_NOTES = ("note", "reservations")


@dataclass(frozen=True)
class Field:
    """One field of a form: its import column, its kind (``date``, ``person``, ``whole``,
    ``money``, ``choice``, ``flag``, ``note`` or ``text``), whether it must be filled, and
    the values of a choice."""

    name: str
    kind: str
    required: bool
    choices: tuple[str, ...] = ()
    shown: str = ""  # the label, when not the column's (LABELS)

    def label(self) -> str:
        if self.shown:
            return _(self.shown)
        return _(LABELS[self.name]) if self.name in LABELS else self.name

    def options(self) -> list[tuple[str, str]]:
        """A choice's values and how each is shown in the current language."""
        if self.name == "legal_form":
            return [(value, value.upper()) for value in self.choices]
        if self.name == "scop_thresholds":  # blank: as the profile says
            return [(value, yes_no(value == "yes")) for value in self.choices]
        return [
            (value, _(CHOICES[value]) if value in CHOICES else word(value))
            for value in self.choices
        ]


def _kind(name: str, annotation: Any) -> tuple[str, tuple[str, ...]]:
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "choice", tuple(str(member.value) for member in annotation)
    if name in ("date", "person"):
        return name, ()
    if name == "to":  # a transfer's receiver: a person too
        return "person", ()
    if name in _WHOLE:
        return "whole", ()
    if name in MONEY_COLUMNS:
        return "money", ()
    if annotation is bool:
        return "flag", ()
    return ("note" if name in _NOTES else "text"), ()


@cache
def fields(action: str) -> tuple[Field, ...]:
    """The fields of ``action``'s form: its command's fields as import columns, in the
    format's order (the date first, the reference and the note last)."""
    model = cmd.ACTIONS[action].model_fields
    out = []
    for column in COLUMNS:
        name = "on" if column == "date" else column
        if column in ("action", "id") or name not in model:
            continue
        kind, choices = _kind(column, model[name].annotation)
        required = column == "date" or model[name].is_required()  # a row needs its date
        out.append(Field(column, kind, required, choices))
    return tuple(out)


def title(action: str) -> str:
    if action in TITLES:
        return _(TITLES[action])
    return _("Record an entry: {action}").format(action=_(action))


def description(action: str) -> str:
    """The first sentence of the command's help (the CLI's own), in the current language."""
    from scop_ledger.cli.commands import COMMANDS

    return _(COMMANDS[action][1]) if action in COMMANDS else ""


def index() -> list[tuple[str, str]]:
    """Every form: (action, title), the person commands first."""
    people = [a for a in IMPORT_ACTIONS if a not in COOPERATIVE]
    return [(action, title(action)) for action in (*people, *COOPERATIVE)]
