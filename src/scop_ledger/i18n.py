"""The ledger's languages: English message ids, French catalogues, one language per context.

Every human-facing text is written in English in the source, marked with :func:`_` (or
:func:`N_` where the text is defined before the language is known), and translated at the
moment it is shown with the catalogues of ``locale/<lang>/LC_MESSAGES/*.po``, compiled to
``.mo`` when the package is built (``setup.py``; ``scripts/i18n.py`` extracts and updates them).
A message with values is one template: ``_("{person} holds no share").format(person=...)``,
never an f-string, so that the translator sees the whole sentence.

The language is a context variable: the CLI sets it once from ``--lang``, ``SCOP_LEDGER_LANG``
or the locale (:func:`resolve`), and each web request sets its own. JSON output, exit codes
and the import format never depend on it.

Amounts, numbers and dates are formatted with Babel (:func:`money`, :func:`number`,
:func:`day`): in English they keep the CONTRACT's plain forms (``2550.00``, ``2024-12-31``); in
French they are ``2 550,00 €`` and ``31/12/2024``.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

LANGUAGES = ("en", "fr")
DEFAULT = "en"
DOMAINS_DIR = Path(__file__).parent / "locale"

_language: ContextVar[str] = ContextVar("scop_ledger_language", default=DEFAULT)


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it yet (a label defined at import
    time, translated with :func:`_` when shown)."""
    return message


def _(message: str) -> str:
    """``message`` in the current language (itself in English, or when untranslated)."""
    lang = _language.get()
    if lang == DEFAULT or not message:
        return message
    return catalogue(lang).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` for ``n`` in the current language."""
    lang = _language.get()
    if lang == DEFAULT:
        return singular if n == 1 else plural
    return catalogue(lang).ngettext(singular, plural, n)


def language() -> str:
    """The current language: ``en`` or ``fr``."""
    return _language.get()


def set_language(lang: str) -> None:
    """Make ``lang`` the current language of this context (the CLI's process, a request)."""
    _language.set(lang if lang in LANGUAGES else DEFAULT)


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Within the block, texts are in ``lang``; afterwards, in the language before it."""
    token = _language.set(lang if lang in LANGUAGES else DEFAULT)
    try:
        yield
    finally:
        _language.reset(token)


def resolve(asked: str | None, environ: Mapping[str, str]) -> str:
    """The language a command speaks: ``asked`` (``--lang``), else ``SCOP_LEDGER_LANG``, else
    the locale's (``LC_ALL``, ``LC_MESSAGES``, ``LANG``, the first one set, as POSIX reads
    them: ``fr_FR.UTF-8`` and ``fr_BE`` are French), else English."""
    if asked:
        return _language_of(asked)
    if environ.get("SCOP_LEDGER_LANG"):
        return _language_of(environ["SCOP_LEDGER_LANG"])
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if environ.get(name):
            return _language_of(environ[name])
    return DEFAULT


def _language_of(value: str) -> str:
    code = value.strip().lower().replace("-", "_").split(".")[0].split("_")[0]
    return code if code in LANGUAGES else DEFAULT


@cache
def catalogue(lang: str) -> gettext.NullTranslations:
    """Every catalogue of ``lang`` chained into one: the compiled ``.mo`` files, or, where a
    ``.po`` is newer than its ``.mo`` (a translator's edit not yet compiled) or has none, the
    ``.po`` itself read with Babel."""
    folder = DOMAINS_DIR / lang / "LC_MESSAGES"
    chain: gettext.NullTranslations = gettext.NullTranslations()
    for po in sorted(folder.glob("*.po")):
        if po.name == "click.po":  # click's own messages: see speak_to_click
            continue
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            with mo.open("rb") as handle:
                part: gettext.NullTranslations = gettext.GNUTranslations(handle)
        else:
            part = _from_po(po)
        part.add_fallback(chain)
        chain = part
    return chain


def _from_po(po: Path) -> gettext.NullTranslations:
    from io import BytesIO

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalog = read_po(handle)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


# The process's LANGUAGE before click was made to speak French (restored when it speaks English).
_LANGUAGE_BEFORE: list[str] = []


def speak_to_click(lang: str) -> None:
    """Have click's own texts (usage errors, "Usage:", "Show this message and exit.") in
    ``lang``: click translates them with the process's gettext domain, so this binds ours
    (``click.po``) as that domain for this process. For a command line only: it is global."""
    import os

    if lang == DEFAULT:
        if gettext.textdomain() == "click":  # an earlier command of this process spoke French
            gettext.textdomain("messages")  # gettext's default domain: click's English
            if _LANGUAGE_BEFORE:
                os.environ["LANGUAGE"] = _LANGUAGE_BEFORE[0]
            else:
                os.environ.pop("LANGUAGE", None)
        return
    if gettext.textdomain() != "click":
        _LANGUAGE_BEFORE[:] = [os.environ["LANGUAGE"]] if "LANGUAGE" in os.environ else []
    gettext.bindtextdomain("click", str(DOMAINS_DIR))
    gettext.textdomain("click")
    os.environ["LANGUAGE"] = lang


def locale_name() -> str:
    """The Babel locale of the current language (French as written in France)."""
    return "fr_FR" if _language.get() == "fr" else "en_GB"


def number(value: Decimal | int) -> str:
    """A number as the current language writes it, every digit kept: ``2550.00`` in English (as
    the CONTRACT prints it), ``2 550,00`` in French."""
    if _language.get() == DEFAULT:
        return str(value)
    from babel.numbers import format_decimal

    if isinstance(value, int):
        return format_decimal(value, locale=locale_name())
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(value, format=pattern, locale=locale_name(), decimal_quantization=False)


def money(amount: Decimal) -> str:
    """An amount of euros: ``2550.00`` in English (the CONTRACT's form; the English sentence
    says "euros"), ``2 550,00 €`` in French (the French sentence does not repeat the currency)."""
    if _language.get() == DEFAULT:
        return str(amount)
    from babel.numbers import format_currency

    return format_currency(amount, "EUR", locale=locale_name())


def day(value: date) -> str:
    """A date: ``2024-12-31`` in English (ISO, as the CONTRACT prints it), ``31/12/2024`` in
    French."""
    if _language.get() == DEFAULT:
        return value.isoformat()
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def yes_no(value: bool) -> str:
    """``yes``/``no`` in the current language."""
    return _("yes") if value else _("no")
