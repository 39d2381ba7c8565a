"""Registering a cooperative through the browser (``serve --write``): the form of ``init``,
every option of ``scop-ledger init`` as a field, recorded by the same application service as
the CLI's command (``app.commands.Init`` through ``app.recording.record``) as the logged-in
user; and what a store holding no cooperative yet shows: this form to a logged-in writer, one
sentence saying what to do to anyone else."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from scop_ledger.domain import statutes
from scop_ledger.i18n import N_, _, speaking
from scop_ledger.web.context import Served, csrf_ok, language_of, user_of, writable
from scop_ledger.web.forms import Field
from scop_ledger.web.writing import forbidden, kept_after, page, record_as

if TYPE_CHECKING:
    from starlette.requests import Request

    from scop_ledger.app.session import Session

TITLE = N_("Register a cooperative")
ABOUT = N_(
    "Its name, legal form, share value and statutes, as 'scop-ledger init' takes them; the "
    "date is its registration. The statutes' fields hold the CLI's defaults."
)

# The fields of init's form: its options, in the CLI's order (the date after the share value).
FIELDS = (
    Field("slug", "text", True, shown=N_("Short name (lower-case letters, digits and dashes)")),
    Field("name", "text", True),
    Field("legal_form", "choice", True, ("sarl", "sas", "sa")),
    Field("share_value", "money", True, shown=N_("Nominal value of a share")),
    Field("date", "date", True, shown=N_("Date of registration")),
    Field("profile", "choice", True, ("fr-scop", "be-cnc")),
    Field("refund_delay_years", "whole", True),
    Field("boot_until", "date", False),
    Field("review_every_years", "whole", True),
    Field("fiscal_year_end", "text", True),
    Field("scop_thresholds", "choice", False, ("yes", "no")),
    Field("external_vote_cap", "money", True),
    Field("supervisory_board_from", "whole", True),
    Field("ref", "text", False),
    Field("note", "note", False),
)
# What the form holds before anything is typed: the CLI's defaults.
DEFAULTS = {
    "profile": statutes.PROFILE.value,
    "refund_delay_years": str(statutes.REFUND_DELAY_YEARS),
    "review_every_years": str(statutes.REVIEW_EVERY_YEARS),
    "fiscal_year_end": statutes.FISCAL_YEAR_END,
    "external_vote_cap": str(statutes.EXTERNAL_VOTE_CAP),
    "supervisory_board_from": str(statutes.SUPERVISORY_BOARD_FROM),
}


def init_command(sent: dict[str, str]) -> Any:
    """The ``init`` command of what the form sent, built as the CLI builds it (a blank field
    left out, so that its default holds; an amount may have a decimal comma)."""
    from scop_ledger.app import commands as cmd
    from scop_ledger.app.importing.forms import amount_text

    fields: dict[str, Any] = {}
    for field in FIELDS:
        value = sent.get(field.name, "")
        if not value:
            continue
        if field.kind == "money":
            value = amount_text(value, field.name.replace("_", "-"))
        fields["on" if field.name == "date" else field.name] = value
    return cmd.build(cmd.Init, **fields)


def form_page(request: Request, status: int = 200, **more: Any) -> Response:
    """init's form (with what was ``sent`` and the ``error``, or the defaults)."""
    with speaking(language_of(request)[0]):
        about = _(ABOUT)
    more.setdefault("sent", DEFAULTS)
    more.setdefault("action", "/init")
    return page(
        request,
        "entry.html.j2",
        status,
        title=TITLE,
        page="record",
        fields=FIELDS,
        persons=[],
        about=about,
        **more,
    )


def empty_store(request: Request) -> Response:
    """What ``/`` shows when the store holds no cooperative: init's form to a logged-in
    writer; else one sentence (log in first, or register it with the CLI)."""
    writes = writable(request)
    if writes and user_of(request):
        notice = N_("This store holds no cooperative yet: register the first one here.")
        return form_page(request, notice=_translated(request, notice))
    if writes:
        notice = N_("This store holds no cooperative yet: log in to register the first one.")
    else:
        notice = N_(
            "This store holds no cooperative yet: register one with 'scop-ledger init', or "
            "serve it with --write and register it here after logging in."
        )
    title = N_("No cooperative yet")
    return page(request, "empty.html.j2", title=title, notice=_translated(request, notice))


def _translated(request: Request, message: str) -> str:
    with speaking(language_of(request)[0]):
        return _(message)


def init(served: Served) -> Any:
    """``/init``: the form; posted, the cooperative registered (its refusal on the form)."""

    async def handle(request: Request) -> Response:
        user = user_of(request)
        if user is None:
            return RedirectResponse("/login", status_code=303)
        if request.method == "GET":
            return form_page(request)
        form = await request.form()
        if not csrf_ok(request, form):
            return forbidden()
        sent = {f.name: str(form.get(f.name, "")).strip() for f in FIELDS}

        made: list[Any] = []

        def build(session: Session) -> Any:
            made.append(init_command(sent))
            return made[0]

        lang = language_of(request)[0]
        outcome, error, status = await run_in_threadpool(record_as, served, user, lang, build)
        if error is not None:
            return form_page(request, status, sent=sent, error=error)
        slug = made[0].slug
        done = page(request, "recorded.html.j2", title=TITLE, outcome=outcome, coop=slug)
        return kept_after(served, slug, done)

    return handle


def routes(served: Served) -> list[Any]:
    return [Route("/init", init(served), methods=["GET", "POST"])]
