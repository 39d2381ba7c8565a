"""The web application: :func:`create_app` makes the Starlette application ``scop-ledger
serve`` runs, on the same application services as the CLI (``app/``; no SQL here).

Read-only unless made with ``write=True``: every request but GET, HEAD and OPTIONS gets 403
(the store is opened read-only as well, so nothing could be written anyway)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from scop_ledger.web import api, pages
from scop_ledger.web.context import SAFE_METHODS, Served

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

    from scop_ledger.settings import Settings

STATIC = Path(__file__).parent / "static"


class ReadOnly:
    """Refuse every request that could write (any method but GET, HEAD, OPTIONS): 403, with
    the reason as JSON under ``/api/`` and as one line of text elsewhere."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            from starlette.responses import PlainTextResponse

            message = "this server is read-only: nothing can be written through it"
            response: Any
            if str(scope.get("path", "")).startswith("/api/"):
                response = api.error_response(403, message)
            else:
                response = PlainTextResponse(message, status_code=403)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def create_app(settings: Settings, *, write: bool = False) -> Starlette:
    """The application serving the store of ``settings`` (opened read-only unless ``write``)."""
    from dataclasses import replace

    from starlette.middleware import Middleware

    if write:
        raise NotImplementedError("writing from the browser is not built yet")
    served = Served(replace(settings, read_only=True), write=False)
    routes: list[Any] = [
        Route(f"/api/{name}", api.endpoint(served, name), methods=["GET"]) for name in api.ENDPOINTS
    ]
    routes += pages.routes(served)
    routes.append(Mount("/static", app=StaticFiles(directory=STATIC), name="static"))
    return Starlette(routes=routes, middleware=[Middleware(ReadOnly)])
