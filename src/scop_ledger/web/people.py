"""A person's page (``/members/{person}``): their holding charted over time, their share
movements and entries, and the links to their certificate and annual statement, drawn by
``app.certificates`` as the ``certificate`` command draws them (HTML or PDF)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from scop_ledger.i18n import _
from scop_ledger.web import charts
from scop_ledger.web.context import Moment, Served, text_param
from scop_ledger.web.pages import frame, headline, kept, respond
from scop_ledger.web.render import render
from scop_ledger.web.tables import PAGED, TABLES

if TYPE_CHECKING:
    from starlette.requests import Request

    from scop_ledger.app.session import Session


def _documents(person: str, moment: Moment) -> dict[str, Any]:
    """The links to the certificate as of the page's date and to the statement of the year
    before it, each as HTML and PDF."""
    on = moment.as_of or date.today()
    base = f"/members/{person}/certificate?"
    kept_moment = {k: v for k, v in moment.query().items() if k != "as_of"}
    year = on.year - 1
    return {
        "on": on,
        "year": year,
        "certificate": {
            kind: base + urlencode({**moment.query(), "format": kind}) for kind in ("html", "pdf")
        },
        "statement": {
            kind: base + urlencode({**kept_moment, "year": str(year), "format": kind})
            for kind in ("html", "pdf")
        },
    }


def member(served: Served) -> Callable[[Request], Response]:
    """``/members/{person}``: the person's holding over time, movements and entries."""

    def handle(request: Request) -> Response:
        person = str(request.path_params["person"])

        def work(session: Session, moment: Moment) -> Response:
            from scop_ledger.app import queries

            params = {**kept(request), "person": person}
            movements = PAGED["register"](session, moment, params, (0, None))  # all theirs
            entries = TABLES["history"](session, moment, params)
            alone = queries.person(session, moment.as_of, moment.known_at, person)
            # The members table's first columns: person, name, employed, partner, category,
            # shares.
            found = [
                [m.person, m.name, m.employed, m.partner, m.category, m.shares]
                for m in alone.members
            ]
            title = (found[0][1] if found else None) or person
            as_of = alone.as_of
            points = [(row[0], row[7]) for row in movements.rows]  # date, shares after
            context = frame(request, moment, "members", title=title)
            context.update(
                person=person,
                found=found,
                movements=movements,
                entries=entries,
                chart=charts.steps(points, as_of),
                documents=_documents(person, moment) if points else None,
            )
            context["head"] = headline(
                SimpleNamespace(coop=alone.coop.slug, as_of=alone.as_of, known_at=alone.known_at)
            )
            return HTMLResponse(render("member.html.j2", **context))

        return respond(served, request, "members", work)

    return handle


def certificate(served: Served) -> Callable[[Request], Response]:
    """``/members/{person}/certificate``: the certificate as of ``as_of`` (as known at
    ``known_at``), or with ``year``, the annual statement at that financial year's end;
    ``format=html`` (shown) or ``pdf`` (downloaded)."""

    def handle(request: Request) -> Response:
        person = str(request.path_params["person"])

        def work(session: Session, moment: Moment) -> Response:
            from scop_ledger.app import certificates
            from scop_ledger.domain.errors import InvalidValue
            from scop_ledger.domain.values import whole_number

            kind = text_param(request, "format") or "html"
            if kind not in certificates.FORMATS:
                raise InvalidValue(_("format {value!r} is not html or pdf").format(value=kind))
            year = text_param(request, "year")
            if year is not None:
                number = whole_number(year, what="year", low=1900, high=2199)
                cert = certificates.statement(session, person, number, moment.known_at)
            else:
                cert = certificates.certificate(session, person, moment.as_of, moment.known_at)
            body = certificates.rendered(cert, kind)
            if kind == "html":
                return HTMLResponse(body)
            name = f"certificate-{cert.person}-{cert.as_of.isoformat()}.pdf"
            disposition = f'attachment; filename="{name}"'
            return Response(
                body, media_type="application/pdf", headers={"content-disposition": disposition}
            )

        return respond(served, request, "members", work)

    return handle


def routes(served: Served) -> list[Any]:
    return [
        Route("/members/{person}", member(served)),
        Route("/members/{person}/certificate", certificate(served)),
    ]
