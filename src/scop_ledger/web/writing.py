"""Writing through the browser (``serve --write``): logging in, and the forms that record.

A user logs in with a name and password (``scop-ledger users add``; ``app.users`` checks the
argon2 hash); the session is a signed cookie (Starlette's ``SessionMiddleware``); every form
carries the session's CSRF token, and a form posted without it is refused (403). Every writing
command the import format takes has a form (``/record/ACTION``), described once in
:mod:`scop_ledger.web.forms` and drawn by one template: its fields are an import row
(``app.importing.row_command``), recorded by ``app.recording.record`` as the logged-in user; a
refusal is shown inline in one line, the warnings (a rule put into breach) after the entry is
recorded."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from scop_ledger.app.importing import IMPORT_ACTIONS
from scop_ledger.i18n import N_, _, speaking
from scop_ledger.web import forms
from scop_ledger.web.context import (
    Moment,
    Served,
    client_address,
    coop_of,
    csrf_ok,
    failure,
    language_of,
    start_session,
    too_many_logins,
    user_of,
)
from scop_ledger.web.render import render

if TYPE_CHECKING:
    from starlette.requests import Request

    from scop_ledger.app.session import Session

# The paths a read-only server that asks for a login (beyond this machine) accepts a POST on.
LOGIN_PATHS = ("/login", "/logout", "/api/login")
# The paths a writing server accepts a POST on; every other write is refused (403).
WRITE_PATHS = (
    "/login",
    "/logout",
    "/init",
    "/subscribe",
    "/record/",
    "/reverse/",
    "/import",
    "/api/entries",
    "/api/login",
)


def page(
    request: Request, template: str, status: int = 200, *, title: str, **more: Any
) -> Response:
    """``template`` in the request's language; ``title`` is a message id, translated here."""
    from scop_ledger.web.context import LANG_COOKIE
    from scop_ledger.web.pages import YEAR, frame

    lang, remember = language_of(request)
    with speaking(lang):
        moment = Moment(coop=coop_of(request))  # its links keep the cooperative
        context = frame(request, moment, more.pop("page", ""), title=_(title), **more)
        response = HTMLResponse(render(template, **context), status)
    if remember:  # ?lang= is remembered, as on every page
        response.set_cookie(LANG_COOKIE, lang, max_age=YEAR, samesite="lax")
    return response


def kept_after(served: Served, coop: str | None, response: Response) -> Response:
    """``response``, then, once it is sent, the rules' sweep of ``coop`` (default: the
    served one, else each) kept for the next question (``app.kept``): the write's own
    answer does not wait for it."""
    from starlette.background import BackgroundTask

    response.background = BackgroundTask(_keep_sweeps, served, coop)
    return response


def _keep_sweeps(served: Served, coop: str | None) -> None:
    from scop_ledger.app.kept import keep_sweeps
    from scop_ledger.domain.values import coop_slug

    served.run(coop and coop_slug(coop), "en", keep_sweeps)


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
        address = client_address(request)
        wait = served.logins.wait(address, name)
        if wait:
            with speaking(language_of(request)[0]):
                refused = too_many_logins(wait)
            response = page(request, "login.html.j2", 429, title=N_("Log in"), error=refused)
            response.headers["Retry-After"] = str(wait)
            return response

        def check(session: Session) -> bool:
            from scop_ledger.app import users

            return users.check(session, name, password)

        if not name or not await run_in_threadpool(served.run, None, "en", check):
            served.logins.failed(address, name)
            with speaking(language_of(request)[0]):
                wrong = _("wrong name or password")
            return page(request, "login.html.j2", 401, title=N_("Log in"), error=wrong)
        served.logins.succeeded(address, name)
        start_session(request, name)
        return RedirectResponse("/", status_code=303)

    return handle


async def logout(request: Request) -> Response:
    form = await request.form()
    if not csrf_ok(request, form):
        return forbidden()
    request.session.clear()
    return RedirectResponse("/", status_code=303)


def record_as(
    served: Served, user: str, lang: str, build: Any, coop: str | None = None
) -> tuple[Any, str | None, int]:
    """Record the command ``build(session)`` makes as ``user`` (in ``coop``, when given):
    (outcome, error, status)."""
    from scop_ledger.app import recording
    from scop_ledger.domain.values import coop_slug

    def work(session: Session) -> Any:
        return recording.record(session, build(session))

    try:
        return served.run(coop and coop_slug(coop), lang, work, user), None, 200
    except Exception as error:
        found = failure(error)
        if found is None:
            raise
        return None, found.message, found.status


def persons(served: Served, lang: str, coop: str | None) -> list[tuple[str, str | None]]:
    """Every person the ledger knows (reference, name): the person picker's list."""
    from scop_ledger.app import queries

    def work(session: Session) -> list[tuple[str, str | None]]:
        found = queries.members(session, None, None)
        return [(m.person, m.name) for m in found.members]

    try:
        return served.run(coop, lang, work)
    except Exception as error:  # no list to offer (the form still takes a typed person)
        if failure(error) is None:
            raise
        return []


def _form(
    request: Request, served: Served, action: str, status: int = 200, **more: Any
) -> Response:
    """``action``'s form (``forms.fields``), with what was ``sent`` and the ``error``."""
    lang = language_of(request)[0]
    fields = forms.fields(action)
    known = (
        persons(served, lang, coop_of(request)) if any(f.kind == "person" for f in fields) else []
    )
    with speaking(lang):
        about = forms.description(action)
    more.setdefault("sent", {})
    return page(
        request,
        "entry.html.j2",
        status,
        title=forms.TITLES.get(action, action),
        page="record",
        fields=fields,
        persons=known,
        about=about,
        **more,
    )


def entry(served: Served, fixed: str | None = None) -> Any:
    """``/record/{action}`` (and ``/subscribe``): the form of one writing command, recorded
    as an import row by ``app/`` (its refusal shown on the form, in the CLI's one line)."""

    async def handle(request: Request) -> Response:
        user = user_of(request)
        if user is None:
            return RedirectResponse("/login", status_code=303)
        action = fixed or str(request.path_params["action"])
        if action not in IMPORT_ACTIONS:
            return Response("no such form", status_code=404)
        if request.method == "GET":
            return await run_in_threadpool(_form, request, served, action)
        form = await request.form()
        if not csrf_ok(request, form):
            return forbidden()
        sent = {f.name: str(form.get(f.name, "")).strip() for f in forms.fields(action)}

        def build(session: Session) -> Any:
            from scop_ledger.app import importing

            return importing.row_command({"action": action, **sent})

        lang = language_of(request)[0]
        coop = coop_of(request)
        outcome, error, status = await run_in_threadpool(record_as, served, user, lang, build, coop)
        if error is not None:
            return await run_in_threadpool(
                _form, request, served, action, status, sent=sent, error=error
            )
        title = forms.TITLES.get(action, action)
        done = page(request, "recorded.html.j2", title=title, outcome=outcome)
        return kept_after(served, coop, done)

    return handle


def cooperatives(served: Served) -> list[str]:
    """The cooperatives of the store, in registration order (none when it cannot answer)."""
    from scop_ledger.app.queries import Query

    def work(session: Session) -> list[str]:
        with Query(session, None, None, one_coop=False) as q:
            return q.slugs()

    try:
        return served.run(None, "en", work)
    except Exception as error:
        if failure(error) is None:
            raise
        return []


def entries(served: Served) -> Any:
    """``/record``: every form; in a store of several cooperatives, with none chosen, the
    cooperatives to choose from first (each form then writes to the one chosen)."""

    async def handle(request: Request) -> Response:
        if user_of(request) is None:
            return RedirectResponse("/login", status_code=303)
        title = N_("Record an entry")
        if coop_of(request) is None and served.settings.coop is None:
            slugs = await run_in_threadpool(cooperatives, served)
            if len(slugs) > 1:
                return page(request, "entries.html.j2", title=title, page="record", coops=slugs)
        with speaking(language_of(request)[0]):
            listed = forms.index()
        return page(request, "entries.html.j2", title=title, page="record", forms=listed)

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
        coop = coop_of(request)
        outcome, error, status = await run_in_threadpool(record_as, served, user, lang, build, coop)
        title = N_("Reverse an entry")
        if error is not None:
            return page(request, "recorded.html.j2", status, title=title, error=error)
        done = page(request, "recorded.html.j2", title=title, outcome=outcome)
        return kept_after(served, coop, done)

    return handle


def login_routes(served: Served) -> list[Any]:
    """The login and the logout (a writing server, or one that asks for a login to read)."""
    return [
        Route("/login", login(served), methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
    ]


def routes(served: Served) -> list[Any]:
    return [
        Route("/record", entries(served)),
        Route("/record/{action}", entry(served), methods=["GET", "POST"]),
        Route("/subscribe", entry(served, "subscribe"), methods=["GET", "POST"]),
        Route("/reverse/{entry}", reverse(served), methods=["POST"]),
    ]
