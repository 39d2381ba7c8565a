"""``/diff``: what changed as of a date between two states of knowledge (``app.audit.diff``,
as the ``diff`` command answers it): the figures, holdings and rules that changed, and the
entries recorded in between (back-dated entries, reversals); ``/diff.csv`` and ``/diff.xlsx``:
the file of ``diff --out`` for the same question."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.responses import HTMLResponse, Response

from scop_ledger.i18n import _
from scop_ledger.web.context import Moment, Served, text_param
from scop_ledger.web.pages import MEDIA, csv_dialect, frame, respond
from scop_ledger.web.render import render

if TYPE_CHECKING:
    from starlette.requests import Request

    from scop_ledger.app.session import Session


def diff_page(served: Served) -> Callable[[Request], Response]:
    def handle(request: Request) -> Response:
        def work(session: Session, moment: Moment) -> Response:
            since = text_param(request, "from_known_at")
            result = _compared(session, request, moment)
            context = frame(request, moment, "diff", title=_("What changed"), result=result)
            context["since"] = since or ""
            context["q_diff"] = urlencode(moment.query(from_known_at=since))
            return HTMLResponse(render("diff.html.j2", **context))

        return respond(served, request, "diff", work)

    return handle


def _compared(session: Session, request: Request, moment: Moment) -> Any:
    """``app.audit.diff`` for the page's question (None when ``from_known_at`` is not given)."""
    from scop_ledger.app import audit
    from scop_ledger.domain.values import parse_moment

    since = text_param(request, "from_known_at")
    if since is None:
        return None
    t1 = parse_moment(since, what="from_known_at")
    return audit.diff(session, t1, moment.known_at, moment.as_of)


def diff_download(served: Served, kind: str) -> Callable[[Request], Response]:
    """``/diff.csv``, ``/diff.xlsx``: the one table ``diff --out`` writes, written by the
    CLI's own code (the CSV in the dialect ``?csv_dialect=`` names)."""

    def handle(request: Request) -> Response:
        def work(session: Session, moment: Moment) -> Response:
            import tempfile
            from pathlib import Path

            from scop_ledger.cli.diffs import FILE_COLUMNS, rows
            from scop_ledger.cli.render import write_rows
            from scop_ledger.domain.errors import InvalidValue

            result = _compared(session, request, moment)
            if result is None:
                raise InvalidValue(_("from_known_at is missing: the moment to compare with"))
            how = csv_dialect(request)
            word = _ if kind == "xlsx" or how.french else str
            about = {
                "command": "diff",
                "coop": result.coop,
                "as_of": result.as_of,
                "from_known_at": result.from_known_at,
                "to_known_at": result.to_known_at,
            }
            filename = f"diff.{kind}"
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / filename
                write_rows(path, FILE_COLUMNS, rows(result, word), about, how)
                body = path.read_bytes()
            disposition = f'attachment; filename="{filename}"'
            return Response(
                body, media_type=MEDIA[kind], headers={"content-disposition": disposition}
            )

        return respond(served, request, "diff", work)

    handle.__name__ = f"download_diff_{kind}"
    return handle
