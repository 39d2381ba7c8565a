"""``/diff``: what changed as of a date between two states of knowledge (``app.audit.diff``,
as the ``diff`` command answers it): the figures, holdings and rules that changed, and the
entries recorded in between (back-dated entries, reversals)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from starlette.responses import HTMLResponse, Response

from scop_ledger.i18n import _
from scop_ledger.web.context import Moment, Served, text_param
from scop_ledger.web.pages import frame, respond
from scop_ledger.web.render import render

if TYPE_CHECKING:
    from starlette.requests import Request

    from scop_ledger.app.session import Session


def diff_page(served: Served) -> Callable[[Request], Response]:
    def handle(request: Request) -> Response:
        def work(session: Session, moment: Moment) -> Response:
            from scop_ledger.app import audit
            from scop_ledger.domain.values import parse_moment

            since = text_param(request, "from_known_at")
            result = None
            if since is not None:
                t1 = parse_moment(since, what="from_known_at")
                result = audit.diff(session, t1, moment.known_at, moment.as_of)
            context = frame(request, moment, "diff", title=_("What changed"), result=result)
            context["since"] = since or ""
            return HTMLResponse(render("diff.html.j2", **context))

        return respond(served, request, "diff", work)

    return handle
