"""The JSON API: each endpoint answers exactly what the CLI's ``--format json`` prints for the
same question (the same call of ``app.queries``, the same serialisation), without its newline.

Parameters: ``as_of``, ``known_at`` and ``coop`` everywhere (as ``--as-of``, ``--known-at``,
``--coop``); ``eligible`` (members), ``person`` (history), ``from`` and ``rule`` (timeline),
``year`` (factsheet). An error is ``{"error": "<the CLI's line>"}`` with status 400, 404, 409 or
503. The API speaks English whatever the language: JSON never depends on it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from scop_ledger.app import queries
from scop_ledger.i18n import _
from scop_ledger.web.context import (
    Moment,
    Served,
    client_address,
    failure,
    jsonable,
    moment_of,
    text_param,
    too_many_logins,
)

if TYPE_CHECKING:
    from starlette.requests import Request

    from scop_ledger.app.session import Session

JSON = "application/json"


def error_response(status: int, message: str) -> Response:
    body = json.dumps({"error": message}, ensure_ascii=False)
    return Response(body, status_code=status, media_type=JSON)


def _flag(request: Request, name: str) -> bool:
    from scop_ledger.domain.errors import InvalidValue

    value = (text_param(request, name) or "false").lower()
    if value not in ("true", "false", "1", "0", "yes", "no"):
        raise InvalidValue(
            _("{name} {value!r} is not true or false").format(name=name, value=value)
        )
    return value in ("true", "1", "yes")


def _model(result: Any) -> str:
    return str(result.model_dump_json())


def _dumped(payload: Any) -> str:
    return json.dumps(jsonable(payload), ensure_ascii=False)


def _capital(request: Request, m: Moment) -> Callable[[Session], str]:
    return lambda s: _model(queries.capital(s, m.as_of, m.known_at))


def _votes(request: Request, m: Moment) -> Callable[[Session], str]:
    return lambda s: _model(queries.votes(s, m.as_of, m.known_at))


def _refunds(request: Request, m: Moment) -> Callable[[Session], str]:
    return lambda s: _model(queries.refunds(s, m.as_of, m.known_at))


def _members(request: Request, m: Moment) -> Callable[[Session], str]:
    eligible = _flag(request, "eligible")
    return lambda s: _model(queries.members(s, m.as_of, m.known_at, eligible=eligible))


def _register(request: Request, m: Moment) -> Callable[[Session], str]:
    return lambda s: _model(queries.register(s, m.as_of, m.known_at))


def _compliance(request: Request, m: Moment) -> Callable[[Session], str]:
    return lambda s: _model(queries.compliance(s, m.as_of, m.known_at))


def _timeline(request: Request, m: Moment) -> Callable[[Session], str]:
    from scop_ledger.domain.values import parse_date

    since = text_param(request, "from")
    start = parse_date(since, what="from") if since else None
    rules = tuple(r for r in request.query_params.getlist("rule") if r)
    return lambda s: _model(queries.timeline(s, m.as_of, m.known_at, start, rules))


def _factsheet(request: Request, m: Moment) -> Callable[[Session], str]:
    from scop_ledger.domain.values import whole_number

    year = whole_number(text_param(request, "year") or "", what="year", low=1900, high=2199)
    return lambda s: _model(queries.factsheet(s, year, m.known_at))


def _history(request: Request, m: Moment) -> Callable[[Session], str]:
    person = text_param(request, "person")

    def work(s: Session) -> str:
        result = queries.history(s, person, m.known_at)
        return _dumped(
            {"coop": result.coop, "known_at": result.known_at, "entries": result.entries}
        )

    return work


def _coops(request: Request, m: Moment) -> Callable[[Session], str]:
    def work(s: Session) -> str:
        result = queries.coops(s, m.as_of, m.known_at)
        return _dumped({"as_of": result.as_of, "known_at": result.known_at, "coops": result.coops})

    return work


ENDPOINTS: dict[str, Callable[[Request, Moment], Callable[[Session], str]]] = {
    "capital": _capital,
    "votes": _votes,
    "refunds": _refunds,
    "members": _members,
    "register": _register,
    "history": _history,
    "compliance": _compliance,
    "timeline": _timeline,
    "factsheet": _factsheet,
    "coops": _coops,
}


def endpoint(served: Served, name: str) -> Callable[[Request], Response]:
    """The route of ``/api/<name>`` (run in a worker thread by Starlette: it is synchronous)."""
    make = ENDPOINTS[name]

    def answer(request: Request) -> Response:
        try:
            moment = moment_of(request)
            work = make(request, moment)
            body = served.run(moment.coop, "en", work)
        except Exception as error:
            found = failure(error)
            if found is None:
                raise
            return error_response(found.status, found.message)
        return Response(body, media_type=JSON)

    answer.__name__ = f"api_{name}"
    return answer


CSRF_HEADER = "x-csrf-token"


def post_entry(served: Served) -> Callable[[Request], Any]:
    """``POST /api/entries`` (``serve --write``): one writing command as a JSON object, a row
    of the import format (its keys and values as a line of a JSON Lines import file), recorded
    as the logged-in user (in the cooperative ``?coop=`` names, as ``--coop``). The session's
    CSRF token goes in the ``X-CSRF-Token`` header. Answers 201 with the entry as ``--format
    json`` prints it, and the warnings; 422 with the CLI's one line when the row is refused
    (401 without a login, 403 without the token)."""
    from starlette.concurrency import run_in_threadpool

    from scop_ledger.web.context import coop_of, csrf_ok, user_of

    async def answer(request: Request) -> Response:
        user = user_of(request)
        if user is None:
            return error_response(401, "log in first")
        if not csrf_ok(request, {"csrf": request.headers.get(CSRF_HEADER, "")}):
            return error_response(403, "the X-CSRF-Token header is missing or wrong")
        body = await request.body()
        return await run_in_threadpool(_recorded, served, user, body, coop_of(request))

    return answer


def _recorded(served: Served, user: str, body: bytes, coop: str | None) -> Response:
    from scop_ledger.app import importing, recording
    from scop_ledger.cli.write import recorded_json
    from scop_ledger.domain.values import coop_slug

    def work(session: Session) -> str:
        outcome = recording.record(session, importing.json_command(body))
        return _dumped({**recorded_json(outcome.recorded), "warnings": outcome.warnings})

    try:
        made = served.run(coop and coop_slug(coop), "en", work, user)
    except Exception as error:
        found = failure(error)
        if found is None:
            raise
        return error_response(503 if found.status == 503 else 422, found.message)
    return Response(made, status_code=201, media_type=JSON)


def _credentials(body: bytes) -> tuple[str, str] | None:
    """The name and password of a JSON object ``{"name": ..., "password": ...}``, or None."""
    try:
        sent = json.loads(body)
    except ValueError:
        return None
    if not isinstance(sent, dict):
        return None
    name, password = sent.get("name"), sent.get("password")
    if not isinstance(name, str) or not isinstance(password, str) or not name:
        return None
    return name, password


def post_login(served: Served) -> Callable[[Request], Any]:
    """``POST /api/login`` (``serve --write``): ``{"name": ..., "password": ...}`` as JSON
    logs in as the login page does: the session cookie, and ``{"user": ..., "csrf": ...}``,
    the token to send in ``X-CSRF-Token`` with every write. 401 for a wrong name or password;
    415 unless the body is sent as ``application/json`` (which a page elsewhere cannot send
    without asking first: no login from another site); 429 with ``Retry-After`` after too
    many failed logins (:mod:`scop_ledger.web.throttle`)."""
    from starlette.concurrency import run_in_threadpool

    from scop_ledger.web.context import start_session

    async def answer(request: Request) -> Response:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != JSON:
            return error_response(415, "send the name and password as application/json")
        found = _credentials(await request.body())
        if found is None:
            return error_response(400, 'expected {"name": "...", "password": "..."}')
        name, password = found
        address = client_address(request)
        wait = served.logins.wait(address, name)
        if wait:
            refused = error_response(429, too_many_logins(wait))
            refused.headers["Retry-After"] = str(wait)
            return refused

        def check(session: Session) -> bool:
            from scop_ledger.app import users

            return users.check(session, name, password)

        if not await run_in_threadpool(served.run, None, "en", check):
            served.logins.failed(address, name)
            return error_response(401, "wrong name or password")
        served.logins.succeeded(address, name)
        token = start_session(request, name)
        return Response(_dumped({"user": name, "csrf": token}), media_type=JSON)

    return answer


def get_session(served: Served) -> Callable[[Request], Response]:
    """``GET /api/session``: who is logged in, the session's CSRF token and whether the
    server writes (``{"user", "csrf", "write"}``); 401 when nobody is, 403 on a read-only
    server on this machine (nobody logs in there)."""
    from scop_ledger.web.context import csrf_token, user_of

    def answer(request: Request) -> Response:
        if "session" not in request.scope:  # read-only, on this machine: no login
            return error_response(
                403, "this server is read-only: nothing can be written through it"
            )
        user = user_of(request)
        if user is None:
            return error_response(401, "log in first")
        body = {"user": user, "csrf": csrf_token(request), "write": served.write}
        return Response(_dumped(body), media_type=JSON)

    return answer
