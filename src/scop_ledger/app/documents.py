"""The documents the ledger prints (share certificates, annual statements, the meeting's
attendance sheet): one Jinja2 environment for their templates (``app/templates``), and their
PDF drawn by WeasyPrint (with Debian's Pango). The same page gives the same bytes, in HTML and
in PDF, so a reviewer can draw a document again and compare."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scop_ledger.i18n import day, money, number

if TYPE_CHECKING:
    from jinja2 import Environment

    from scop_ledger.app.queries import Query

FORMATS = ("pdf", "html")


def environment() -> Environment:
    """The templates of ``app/templates``, autoescaped, speaking the current language
    (``_()`` and ``{% trans %}``), with the filters ``money``, ``day`` and ``number``."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    from scop_ledger import i18n

    env = Environment(
        loader=PackageLoader("scop_ledger", "app/templates"),
        autoescape=select_autoescape(["html", "j2"]),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(i18n._, i18n.ngettext, newstyle=False)  # type: ignore[attr-defined]
    env.filters.update(money=money, day=day, number=number)
    return env


def as_format(html: str, fmt: str) -> bytes:
    """The page as HTML (``fmt`` ``html``) or as a PDF document (``pdf``)."""
    return html.encode("utf-8") if fmt == "html" else render_pdf(html)


def render_pdf(html: str) -> bytes:
    """The page as PDF, the same bytes for the same page (no creation date, a fixed id)."""
    import hashlib

    from weasyprint import HTML

    identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode()
    pdf = HTML(string=html).write_pdf(pdf_identifier=identifier)
    assert pdf is not None
    return bytes(pdf)


def chain_head(q: Query) -> str | None:
    """The hash chain's head as it stood at the question's moment (``SEQ:HASH``): what the
    document was drawn from."""
    from scop_ledger.readmodel.history import chain_head_at
    from scop_ledger.store.db import connect

    db = connect(q.session.settings.url, read_only=True, recover=False)
    try:
        return chain_head_at(db, q.known_at)
    finally:
        db.close()
