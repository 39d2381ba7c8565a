"""The pages: server-rendered HTML (Jinja2), each with its date controls (``as_of``,
``known_at``), each table downloadable as CSV and XLSX (the CLI's ``--out`` files). A page is
answered like a command: parse, one call to ``app/`` (:mod:`scop_ledger.web.tables`), render."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from scop_ledger.i18n import N_, _, day, speaking
from scop_ledger.web import charts
from scop_ledger.web.context import (
    LANG_COOKIE,
    Moment,
    Served,
    failure,
    language_of,
    moment_of,
    text_param,
    writer_context,
)
from scop_ledger.web.render import render
from scop_ledger.web.tables import PAGED, TABLES, Table, timeline_table

if TYPE_CHECKING:
    from starlette.requests import Request

    from scop_ledger.app.session import Session
    from scop_ledger.cli.sheets import Dialect

# Parameters a page keeps in its links and controls, besides the moment.
KEPT = ("person", "rule", "until", "eligible")
NAV = [
    ("", N_("Dashboard")),
    ("capital", N_("Capital")),
    ("votes", N_("Votes")),
    ("refunds", N_("Refunds")),
    ("members", N_("Members")),
    ("register", N_("Register")),
    ("compliance", N_("Compliance")),
    ("timeline", N_("Timeline")),
    ("history", N_("History")),
    ("diff", N_("What changed")),
    ("report", N_("Review pack")),
]
YEAR = 365 * 24 * 3600


def kept(request: Request) -> dict[str, str]:
    return {k: v for k in KEPT if (v := text_param(request, k) or "")}


def frame(request: Request, moment: Moment, page: str, **more: Any) -> dict[str, Any]:
    """What every page's template needs: where it is, the moment, links that keep both."""
    extra = kept(request)
    lang_query = moment.query(**extra)
    return {
        "page": page,
        "here": request.url.path,
        "moment": moment,
        "extra": extra,
        "q": urlencode(moment.query()),
        "q_here": urlencode(lang_query),
        "nav": [(slug, _(label)) for slug, label in NAV],
        "lang_links": {
            code: "?" + urlencode({**lang_query, "lang": code}) for code in ("en", "fr")
        },
        **writer_context(request),
        **more,
    }


def respond(
    served: Served, request: Request, page: str, work: Callable[[Session, Moment], Response]
) -> Response:
    """``work`` on the request's session and language; an error the user may meet becomes the
    page with its one line and status; ``?lang=`` is remembered in a cookie."""
    lang, remember = language_of(request)
    try:
        moment = moment_of(request)
        response = served.run(moment.coop, lang, lambda s: work(s, moment))
    except Exception as error:
        found = failure(error)
        if found is None:
            raise
        with speaking(lang):
            context = frame(request, Moment(), page, title=_("Error"), error=found.message)
            response = HTMLResponse(render("error.html.j2", **context), found.status)
    if remember:
        response.set_cookie(LANG_COOKIE, lang, max_age=YEAR, samesite="lax")
    return response


def headline(result: Any) -> str:
    return _("{coop} as of {date}, as known at {moment}").format(
        coop=result.coop,
        date=day(result.as_of),
        moment=f"{day(result.known_at.date())} {result.known_at:%H:%M:%S} UTC",
    )


def table_page(served: Served, name: str) -> Callable[[Request], Response]:
    def handle(request: Request) -> Response:
        def work(session: Session, moment: Moment) -> Response:
            chart, ratios = None, []
            if name == "timeline":  # the table and the share charts from one sweep
                from scop_ledger.app import audit

                r, shares = audit.timeline_with_shares(session, moment.as_of, moment.known_at)
                table, paging = paged(timeline_table(r), request)
                chart = charts.bands(r.changes, r.since, r.as_of)
                ratios = [charts.share(series, r.as_of) for series in shares]
            elif name in PAGED:
                table, paging = read_page(name, session, moment, request)
            else:
                table, paging = paged(TABLES[name](session, moment, kept(request)), request)
            context = frame(request, moment, name, title=table.title)
            context.update(table=table, name=name, chart=chart, ratios=ratios, head=_head(table))
            context.update(paging=paging)
            return HTMLResponse(render("table.html.j2", **context))

        return respond(served, request, name, work)

    handle.__name__ = f"page_{name}"
    return handle


#: The rows of a table a page shows at once (the downloads give them all).
PAGE_ROWS = 500


def asked_page(request: Request) -> int:
    """The page ``?page=`` asks for (from 1; the first when absent or not a number)."""
    asked = request.query_params.get("page", "1")
    return max(int(asked), 1) if asked.isdigit() and len(asked) < 9 else 1


def paged(table: Table, request: Request) -> tuple[Table, dict[str, Any] | None]:
    """The table cut to the ``?page=`` asked (the first when absent or out of range), and what
    the page's links say, or None when every row fits on one page."""
    from dataclasses import replace

    rows = table.display()
    if len(rows) <= PAGE_ROWS:
        return table, None
    pages = -(-len(rows) // PAGE_ROWS)
    number = min(asked_page(request), pages)
    start = (number - 1) * PAGE_ROWS
    shown = rows[start : start + PAGE_ROWS]
    return replace(table, shown=shown), pager(request, number, pages, start, len(shown), len(rows))


def read_page(
    name: str, session: Session, moment: Moment, request: Request
) -> tuple[Table, dict[str, Any] | None]:
    """The page ``?page=`` asks for of a table read a page at a time (:data:`PAGED`): the
    last when it asks for one after it; the page's links, or None when every row fits on one
    page, as :func:`paged` cuts a whole table."""
    params = kept(request)
    number = asked_page(request)
    table = PAGED[name](session, moment, params, ((number - 1) * PAGE_ROWS, PAGE_ROWS))
    total = table.total or 0
    pages = max(-(-total // PAGE_ROWS), 1)
    if number > pages:
        number = pages
        table = PAGED[name](session, moment, params, ((number - 1) * PAGE_ROWS, PAGE_ROWS))
        total = table.total or 0
    if total <= PAGE_ROWS:
        return table, None
    start = (number - 1) * PAGE_ROWS
    return table, pager(request, number, pages, start, len(table.rows), total)


def pager(
    request: Request, number: int, pages: int, start: int, shown: int, total: int
) -> dict[str, Any]:
    """What a page's links say: its rows, its number among ``pages``, the links to the others."""
    query = {k: v for k, v in request.query_params.items() if k != "page"}

    def link(n: int) -> str:
        return "?" + urlencode({**query, "page": n})

    return {
        "first": start + 1,
        "last": start + shown,
        "total": total,
        "number": number,
        "pages": pages,
        "links": {
            "first": link(1) if number > 1 else None,
            "previous": link(number - 1) if number > 1 else None,
            "next": link(number + 1) if number < pages else None,
            "last": link(pages) if number < pages else None,
        },
    }


def _head(table: Table) -> str:
    result = table.result
    if hasattr(result, "as_of"):
        return headline(result)
    return _("{coop} as known at {moment}").format(
        coop=result.coop, moment=f"{day(result.known_at.date())} {result.known_at:%H:%M:%S} UTC"
    )


MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def csv_dialect(request: Request) -> Dialect:
    """``?csv_dialect=`` as the CLI's ``--csv-dialect`` (``standard`` by default; a French
    page's link asks for ``excel-fr``)."""
    from scop_ledger.cli.sheets import DIALECTS, STANDARD
    from scop_ledger.domain.errors import InvalidValue

    asked = text_param(request, "csv_dialect") or STANDARD.name
    if asked not in DIALECTS:
        raise InvalidValue(
            _("csv_dialect {value!r} is not one of {names}").format(
                value=asked, names=", ".join(DIALECTS)
            )
        )
    return DIALECTS[asked]


def download(served: Served, name: str, kind: str) -> Callable[[Request], Response]:
    """The table of page ``name`` as the CLI's ``--out`` file (``.csv`` or ``.xlsx``): the
    CSV in the dialect ``?csv_dialect=`` names, written by the CLI's own writer."""

    def handle(request: Request) -> Response:
        def work(session: Session, moment: Moment) -> Response:
            import tempfile
            from pathlib import Path

            from scop_ledger.cli.render import write_rows

            how = csv_dialect(request)
            table = TABLES[name](session, moment, kept(request))
            filename = f"{name}.{kind}"
            about = {"command": name, **table.about}
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / filename
                write_rows(path, table.headers, table.rows, about, how)
                body = path.read_bytes()
            disposition = f'attachment; filename="{filename}"'
            return Response(
                body, media_type=MEDIA[kind], headers={"content-disposition": disposition}
            )

        return respond(served, request, name, work)

    handle.__name__ = f"download_{name}_{kind}"
    return handle


def dashboard(served: Served) -> Callable[[Request], Response]:
    """``/``: the federation view when the store holds several cooperatives and none is
    chosen; else capital, votes and compliance at a glance, breaches first."""

    def handle(request: Request) -> Response:
        def work(session: Session, moment: Moment) -> Response:
            from scop_ledger.app import queries

            if moment.coop is None and session.settings.coop is None:
                slugs = queries.slugs(session)  # cheap: coops' figures only for several
                if not slugs and moment.known_at is None and served.on_empty:
                    return served.on_empty(request)  # init's form, or what to do
                found = queries.coops(session, moment.as_of, moment.known_at) if slugs[1:] else None
                if found is not None and len(found.coops) > 1:
                    context = frame(request, moment, "", title=_("Cooperatives"), coops=found)
                    return HTMLResponse(render("coops.html.j2", **context))
            tables = {n: TABLES[n](session, moment, {}) for n in ("capital", "votes", "compliance")}
            cap, vote = tables["capital"].result, tables["votes"].result
            bars = {
                "capital": charts.split_bar(
                    [(_("employees"), cap.employees.ratio), (_("externals"), cap.externals.ratio)]
                ),
                "votes": charts.split_bar(
                    [(_("employees"), vote.employees.ratio), (_("externals"), vote.externals.ratio)]
                ),
            }
            context = frame(request, moment, "", title=_("Dashboard"))
            context.update(tables=tables, bars=bars, head=headline(cap))
            return HTMLResponse(render("dashboard.html.j2", **context))

        return respond(served, request, "", work)

    return handle


def report(served: Served, *, pack: bool) -> Callable[[Request], Response]:
    """``/report``: the review pack (``app.audit.report``, as the ``report`` command makes it)
    under the date controls; ``/report/pack``: the pack's own document."""

    def handle(request: Request) -> Response:
        def work(session: Session, moment: Moment) -> Response:
            if pack:
                from scop_ledger.app import audit

                made = audit.report(session, moment.as_of, moment.known_at, 30)
                return HTMLResponse(made.html)
            context = frame(request, moment, "report", title=_("Review pack"))
            return HTMLResponse(render("report.html.j2", **context))

        return respond(served, request, "report", work)

    return handle


def routes(served: Served) -> list[Any]:
    out = [
        Route("/", dashboard(served)),
        Route("/report", report(served, pack=False)),
        Route("/report/pack", report(served, pack=True)),
    ]
    for name in TABLES:
        out.append(Route(f"/{name}", table_page(served, name)))
        for kind in ("csv", "xlsx"):
            out.append(Route(f"/{name}.{kind}", download(served, name, kind)))
    return out
