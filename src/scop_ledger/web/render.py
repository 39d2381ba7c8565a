"""The pages' templates (Jinja2, with the i18n extension on :mod:`scop_ledger.i18n`) and how
a cell shows in the current language."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from scop_ledger.i18n import _, day, language, ngettext, number, yes_no

TEMPLATES = Path(__file__).parent / "templates"


def show(value: Any) -> str:
    """A cell as a person reads it in the current language."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, datetime):
        return f"{day(value.date())} {value:%H:%M:%S}"
    if isinstance(value, date):
        return day(value)
    if isinstance(value, Decimal | int):
        return number(value)
    if isinstance(value, dict):
        return " ".join(f"{k}={show(v)}" for k, v in value.items() if v not in (None, False))
    return str(getattr(value, "value", value))


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_, ngettext=ngettext, newstyle=False
    )
    env.filters["show"] = show
    env.globals["language"] = language
    return env


def render(template: str, /, **context: Any) -> str:
    return environment().get_template(template).render(**context)
