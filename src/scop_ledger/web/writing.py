"""Writing through the browser (``serve --write``): logging in, and the forms that record.

A user logs in with a name and password (``scop-ledger users add``; ``app.users`` checks the
argon2 hash); the session is a signed cookie (Starlette's ``SessionMiddleware``); every form
carries the session's CSRF token, and a form posted without it is refused (403). A form is a
command like the CLI's: its fields are an import row (``app.importing``), recorded by
``app.recording.record`` as the logged-in user; a refusal is shown inline in one line, the
warnings (a rule put into breach) after the entry is recorded."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from scop_ledger.i18n import N_, _, speaking
from scop_ledger.web.context import (
    Moment,
    Served,
    csrf_ok,
    failure,
    language_of,
    user_of,
)
from scop_ledger.web.render import render

if TYPE_CHECKING:
    from starlette.requests import Request

    from scop_ledger.app.session import Session

# The paths a writing server accepts a POST on; every other write is refused (403).
WRITE_PATHS = ("/login", "/logout", "/subscribe", "/reverse/", "/import")
SUBSCRIBE_FIELDS = ("person", "date", "shares", "paid", "ref", "note")


def page(
    request: Request, template: str, status: int = 200, *, title: str, **more: Any
) -> Response:
    """``template`` in the request's language; ``title`` is a message id, translated here."""
    from scop_ledger.web.pages import frame

    lang, _remember = language_of(request)
    with speaking(lang):
        context = frame(request, Moment(), more.pop("page", ""), title=_(title), **more)
        return HTMLResponse(render(template, **context), status)


def forbidden() -> Response:
    return Response("the form's token is missing or wrong: reload the page", status_code=403)


def login(served: Served) -> Any:
    async def handle(request: Request) -> Response:
        if request.method == "GET":
            return page(request, "login.html.j2", title=N_("Log in"))
        form = await request.form()
        if not csrf_ok(request, form):
            return forbidden()
        name, password = str(form.get("name", "")), str(form.get("password", ""))

        def check(session: Session) -> bool:
            from scop_ledger.app import users

            return users.check(session, name, password)

        if not name or not await run_in_threadpool(served.run, None, "en", check):
            with speaking(language_of(request)[0]):
                wrong = _("wrong name or password")
            return page(request, "login.html.j2", 401, title=N_("Log in"), error=wrong)
        request.session.clear()
        request.session.update({"user": name, "csrf": secrets.token_urlsafe(32)})
        return RedirectResponse("/", status_code=303)

    return handle


async def logout(request: Request) -> Response:
    form = await request.form()
    if not csrf_ok(request, form):
        return forbidden()
    request.session.clear()
    return RedirectResponse("/", status_code=303)


def _record(served: Served, user: str, lang: str, build: Any) -> tuple[Any, str | None, int]:
    """Record the command ``build(session)`` makes as ``user``: (outcome, error, status)."""
    from scop_ledger.app import recording

    def work(session: Session) -> Any:
        return recording.record(session, build(session))

    try:
        return served.run(None, lang, work, user), None, 200
    except Exception as error:
        found = failure(error)
        if found is None:
            raise
        return None, found.message, found.status


def subscribe(served: Served) -> Any:
    async def handle(request: Request) -> Response:
        user = user_of(request)
        if user is None:
            return RedirectResponse("/login", status_code=303)
        if request.method == "GET":
            return page(request, "subscribe.html.j2", title=N_("Record a subscription"), sent={})
        form = await request.form()
        if not csrf_ok(request, form):
            return forbidden()
        sent = {k: str(form.get(k, "")).strip() for k in SUBSCRIBE_FIELDS}

        def build(session: Session) -> Any:
            from scop_ledger.app.importing.rows import Row, to_command

            fields = {"action": "subscribe", **sent}
            return to_command(Row(0, fields), None)  # type: ignore[arg-type]

        lang = language_of(request)[0]
        outcome, error, status = await run_in_threadpool(_record, served, user, lang, build)
        title = N_("Record a subscription")
        if error is not None:
            return page(request, "subscribe.html.j2", status, title=title, sent=sent, error=error)
        return page(request, "recorded.html.j2", title=title, outcome=outcome)

    return handle


def reverse(served: Served) -> Any:
    async def handle(request: Request) -> Response:
        user = user_of(request)
        if user is None:
            return RedirectResponse("/login", status_code=303)
        form = await request.form()
        if not csrf_ok(request, form):
            return forbidden()
        entry, reason = str(request.path_params["entry"]), str(form.get("reason", ""))

        def build(session: Session) -> Any:
            from scop_ledger.app import commands as cmd

            return cmd.build(cmd.Reverse, event=entry, reason=reason)

        lang = language_of(request)[0]
        outcome, error, status = await run_in_threadpool(_record, served, user, lang, build)
        title = N_("Reverse an entry")
        if error is not None:
            return page(request, "recorded.html.j2", status, title=title, error=error)
        return page(request, "recorded.html.j2", title=title, outcome=outcome)

    return handle


def routes(served: Served) -> list[Any]:
    return [
        Route("/login", login(served), methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/subscribe", subscribe(served), methods=["GET", "POST"]),
        Route("/reverse/{entry}", reverse(served), methods=["POST"]),
    ]
