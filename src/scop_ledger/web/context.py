"""What every request shares: its language, the moment it asks about, its session with the
store, and the one place where an error becomes an HTTP status and one line.

A request is answered like a CLI command: parse the parameters, one call to ``app/``, render.
Each request gets its own :class:`~scop_ledger.app.session.Session` (closed afterwards) and
speaks its own language (:func:`scop_ledger.i18n.speaking`: a context variable)."""

from __future__ import annotations

import hmac
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from scop_ledger.app.session import Session
from scop_ledger.i18n import LANGUAGES, ngettext, speaking
from scop_ledger.web.throttle import Throttle

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from scop_ledger.settings import Settings

T = TypeVar("T")

LANG_COOKIE = "scop_ledger_lang"
# Methods that never write: everything else is refused by a read-only server.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def accepted_language(header: str) -> str | None:
    """The first of our languages in an ``Accept-Language`` header, by quality then order."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        code = tag.strip().lower().split("-")[0]
        if code in LANGUAGES and quality > 0:
            ranked.append((-quality, position, code))
    return min(ranked)[2] if ranked else None


def language_of(request: Request) -> tuple[str, bool]:
    """The request's language and whether it was asked for now (``?lang=``: remember it in the
    cookie): ``?lang=``, else the cookie, else ``Accept-Language``, else English."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked, True
    remembered = request.cookies.get(LANG_COOKIE)
    if remembered in LANGUAGES:
        return remembered, False
    return accepted_language(request.headers.get("accept-language", "")) or "en", False


@dataclass(frozen=True)
class Moment:
    """The point in time a request asks about (None: today, now), and the cooperative."""

    as_of: date | None = None
    known_at: datetime | None = None
    coop: str | None = None

    def query(self, **more: str | None) -> dict[str, str]:
        """These parameters as a query string's (for links that keep the moment)."""
        out = {
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "known_at": self.known_at.isoformat() if self.known_at else None,
            "coop": self.coop,
            **more,
        }
        return {k: v for k, v in out.items() if v}


def text_param(request: Request, name: str) -> str | None:
    """A query parameter, None when absent or blank."""
    value = request.query_params.get(name)
    return value.strip() if value is not None and value.strip() else None


def coop_of(request: Request) -> str | None:
    """The cooperative a writing form or call is about (``?coop=``, as ``--coop``; checked
    where it is used), None for the store's only one (or ``serve --coop``'s)."""
    return text_param(request, "coop")


def moment_of(request: Request) -> Moment:
    """``as_of``, ``known_at`` and ``coop`` from the query string, checked as the CLI checks
    ``--as-of``, ``--known-at`` and ``--coop`` (a bad one is an :class:`InvalidValue`)."""
    from scop_ledger.domain.values import coop_slug, parse_date, parse_moment

    as_of, known_at, coop = (text_param(request, n) for n in ("as_of", "known_at", "coop"))
    return Moment(
        parse_date(as_of, what="as_of") if as_of else None,
        parse_moment(known_at, what="known_at") if known_at else None,
        coop_slug(coop) if coop else None,
    )


@dataclass
class Served:
    """What the application serves: the settings of the store (read-only unless ``write``)."""

    settings: Settings
    write: bool = False
    notes: list[str] = field(default_factory=list)
    # What ``/`` shows when the store holds no cooperative (web.founding.empty_store).
    on_empty: Callable[[Request], Response] | None = None
    # The failed logins of the last minutes (web.throttle).
    logins: Throttle = field(default_factory=Throttle)

    def run(
        self, coop: str | None, lang: str, work: Callable[[Session], T], user: str | None = None
    ) -> T:
        """``work`` on a session of its own (for ``coop``, when given; recording as ``user``),
        in ``lang``."""
        settings = replace(self.settings, coop=coop) if coop else self.settings
        settings = replace(settings, user=user) if user else settings
        session = Session(settings)
        try:
            with speaking(lang):
                return work(session)
        finally:
            session.close()


@dataclass(frozen=True)
class Failure:
    """An error as the user sees it: the HTTP status and the CLI's one line."""

    status: int
    message: str


def failure(error: BaseException) -> Failure | None:
    """The status and one-line message of an error a user may meet (None: a bug). The line is
    the CLI's (``app.errors.classify``); not found is 404, a bad value 400, a refusal 409, a
    store that cannot answer 503."""
    from scop_ledger.app.errors import classify
    from scop_ledger.domain.errors import NotFound, Refused

    found = classify(error)
    if found is None:
        return None
    code, message = found
    if isinstance(error, NotFound):
        status = 404
    elif isinstance(error, Refused):
        status = 409
    elif code == 3:
        status = 503
    else:
        status = 400
    return Failure(status, message)


def jsonable(value: Any) -> Any:
    """A value as the CLI's JSON writes it (its renderer: the same layer)."""
    from scop_ledger.cli.render import jsonable as cli_jsonable

    return cli_jsonable(value)


def csrf_token(request: Request) -> str:
    """The session's CSRF token (made on first use)."""
    session = request.session
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


def csrf_ok(request: Request, form: Any) -> bool:
    sent, kept = str(form.get("csrf", "")), str(request.session.get("csrf", ""))
    return bool(kept) and hmac.compare_digest(sent.encode(), kept.encode())


def user_of(request: Request) -> str | None:
    if "session" not in request.scope:
        return None
    user = request.session.get("user")
    return str(user) if user else None


def writable(request: Request) -> bool:
    """Whether the server records (``serve --write``)."""
    return bool(getattr(request.app.state, "write", False)) if "app" in request.scope else False


def writer_context(request: Request) -> dict[str, Any]:
    """What the pages show of the login: whether the server records, the user logged in and
    the form token (none when there is no login: read-only on this machine)."""
    if "session" not in request.scope:
        return {"writable": False, "user": None, "csrf": ""}
    return {"writable": writable(request), "user": user_of(request), "csrf": csrf_token(request)}


def client_address(request: Request) -> str:
    """The address the request comes from (the proxy's ``X-Forwarded-For`` when uvicorn
    trusts it: a proxy on this machine, by default)."""
    return request.client.host if request.client else ""


def too_many_logins(wait: int) -> str:
    """The refusal of a login tried again too soon after too many failed ones, in the
    language spoken."""
    minutes = max(1, math.ceil(wait / 60))
    return ngettext(
        "too many failed logins: try again in {count} minute",
        "too many failed logins: try again in {count} minutes",
        minutes,
    ).format(count=minutes)


def start_session(request: Request, user: str) -> str:
    """Log ``user`` in: a fresh session (a cookie signed by the server) with a fresh CSRF
    token, returned."""
    token = secrets.token_urlsafe(32)
    request.session.clear()
    request.session.update({"user": user, "csrf": token})
    return token
