"""The web application: :func:`create_app` makes the Starlette application ``scop-ledger
serve`` runs, on the same application services as the CLI (``app/``; no SQL here).

Read-only unless made with ``write=True``: every request but GET, HEAD and OPTIONS gets 403
(the store is opened read-only as well, so nothing could be written anyway). With ``write``,
the login and the forms of :mod:`scop_ledger.web.writing`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from scop_ledger.web import api, diffs, founding, pages, people, uploads, writing
from scop_ledger.web.context import SAFE_METHODS, Served

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

    from scop_ledger.settings import Settings

STATIC = Path(__file__).parent / "static"


class Guard:
    """Refuse every request that could write (any method but GET, HEAD, OPTIONS): 403, with
    the reason as JSON under ``/api/`` and as one line of text elsewhere; a writing server
    takes the posts of its own forms (``writing.WRITE_PATHS``), each checked there. With
    ``login_to_read``, nothing but the login page (and ``/api/login``) is shown to a visitor
    not logged in; a read-only server then takes the login's posts alone
    (``writing.LOGIN_PATHS``)."""

    def __init__(self, app: ASGIApp, write: bool = False, login_to_read: bool = False) -> None:
        self.app, self.write, self.login_to_read = app, write, login_to_read

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        from starlette.responses import PlainTextResponse, RedirectResponse

        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        response: Any = None
        allowed: tuple[str, ...] = writing.WRITE_PATHS if self.write else ()
        if self.login_to_read and not self.write:  # a read-only server that asks for a login
            allowed = writing.LOGIN_PATHS
        if scope["method"] not in SAFE_METHODS and not (allowed and path.startswith(allowed)):
            message = (
                "this server is read-only: nothing can be written through it"
                if not self.write
                else "nothing can be written at this address"
            )
            if path.startswith("/api/"):
                response = api.error_response(403, message)
            else:
                response = PlainTextResponse(message, status_code=403)
        elif (
            self.login_to_read
            and not scope.get("session", {}).get("user")
            and not path.startswith(("/login", "/static/", "/api/login"))
        ):
            if path.startswith("/api/"):
                response = api.error_response(401, "log in first")
            else:
                response = RedirectResponse("/login", status_code=303)
        if response is not None:
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class ServerTiming:
    """Say in a ``Server-Timing`` header (``app;dur=MILLISECONDS``) how long the server worked
    on each answer before sending it: what bench/web.py reads, and a browser's developer tools
    show."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        import time

        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed(message: Any) -> None:
            if message["type"] == "http.response.start":
                spent = (time.perf_counter() - started) * 1000
                header = f"app;dur={spent:.1f}".encode()
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (b"server-timing", header)],
                }
            await send(message)

        await self.app(scope, receive, timed)


def create_app(
    settings: Settings,
    *,
    write: bool = False,
    login_to_read: bool = False,
    secret: str | None = None,
) -> Starlette:
    """The application serving the store of ``settings``: read-only (the store opened
    read-only), or, with ``write``, with the login and the forms that record (sessions signed
    with ``secret``, a fresh one by default: a restart logs everyone out). With
    ``login_to_read`` (beyond this machine), every page asks for the login, writing or not."""
    import secrets
    from dataclasses import replace

    from starlette.middleware import Middleware

    served = Served(settings if write else replace(settings, read_only=True), write=write)
    served.on_empty = founding.empty_store
    routes: list[Any] = [
        Route(f"/api/{name}", api.endpoint(served, name), methods=["GET"]) for name in api.ENDPOINTS
    ]
    routes.append(Route("/api/session", api.get_session(served), methods=["GET"]))
    routes += pages.routes(served) + people.routes(served)
    routes.append(Route("/diff", diffs.diff_page(served)))
    routes += [
        Route(f"/diff.{kind}", diffs.diff_download(served, kind)) for kind in ("csv", "xlsx")
    ]
    middleware = []
    if write or login_to_read:  # sessions: a login to write, or to read beyond this machine
        from starlette.middleware.sessions import SessionMiddleware

        routes += writing.login_routes(served)
        routes.append(Route("/api/login", api.post_login(served), methods=["POST"]))
        key = secret or secrets.token_urlsafe(32)
        middleware.append(Middleware(SessionMiddleware, secret_key=key, same_site="strict"))
    if write:
        routes += writing.routes(served) + uploads.routes(served) + founding.routes(served)
        routes.append(Route("/api/entries", api.post_entry(served), methods=["POST"]))
    routes.append(Mount("/static", app=StaticFiles(directory=STATIC), name="static"))
    middleware.append(Middleware(Guard, write=write, login_to_read=login_to_read))
    middleware.insert(0, Middleware(ServerTiming))
    application = Starlette(routes=routes, middleware=middleware)
    application.state.write = write  # what the pages offer (web.context.writer_context)
    return application
