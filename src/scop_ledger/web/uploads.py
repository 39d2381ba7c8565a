"""Importing by upload (``serve --write``): the file is kept on the server under a random
token, its dry run shown row by row (what would be recorded, what is already there), and
recorded only when the user confirms: all rows or none, as ``scop-ledger import``."""

from __future__ import annotations

import secrets
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from scop_ledger.i18n import N_
from scop_ledger.web.context import Served, coop_of, csrf_ok, failure, language_of, user_of
from scop_ledger.web.writing import forbidden, kept_after, page

if TYPE_CHECKING:
    from starlette.requests import Request

    from scop_ledger.app.session import Session

SUFFIXES = (".csv", ".jsonl", ".xlsx")
TITLE = N_("Import a file")


class Uploads:
    """The files uploaded and not yet confirmed: token -> (user, path), in a folder of their
    own that lives as long as the server (removed when it stops)."""

    def __init__(self) -> None:
        self.folder: Path | None = None  # made at the first upload
        self.files: dict[str, tuple[str, Path]] = {}

    def keep(self, user: str, name: str, data: Any) -> tuple[str, Path]:
        if self.folder is None:
            import atexit

            self.folder = Path(tempfile.mkdtemp(prefix="scop-ledger-uploads-"))
            atexit.register(shutil.rmtree, self.folder, ignore_errors=True)
        token = secrets.token_urlsafe(16)
        place = self.folder / token
        place.mkdir()
        path = place / Path(name).name
        with path.open("wb") as out:
            shutil.copyfileobj(data, out)
        self.files[token] = (user, path)
        return token, path

    def take(self, user: str, token: str) -> Path | None:
        found = self.files.get(token)
        if found is None or found[0] != user:
            return None
        del self.files[token]
        return found[1]


def _run(
    served: Served, user: str, lang: str, work: Any, coop: str | None
) -> tuple[Any, str | None, int]:
    from scop_ledger.domain.values import coop_slug

    try:
        return served.run(coop and coop_slug(coop), lang, work, user), None, 200
    except Exception as error:
        found = failure(error)
        if found is None:
            raise
        return None, found.message, found.status


def upload(served: Served, uploads: Uploads) -> Any:
    async def handle(request: Request) -> Response:
        user = user_of(request)
        if user is None:
            return RedirectResponse("/login", status_code=303)
        if request.method == "GET":
            return page(request, "import.html.j2", title=TITLE)
        form = await request.form()
        if not csrf_ok(request, form):
            return forbidden()
        sent: Any = form.get("file")
        name = str(getattr(sent, "filename", "") or "")
        if not name.lower().endswith(SUFFIXES):
            from scop_ledger.i18n import _, speaking

            with speaking(language_of(request)[0]):
                wrong = _("choose a .csv, .jsonl or .xlsx file")
            return page(request, "import.html.j2", 400, title=TITLE, error=wrong)
        token, path = uploads.keep(user, name, sent.file)

        def work(session: Session) -> Any:
            from scop_ledger.app import importing

            return importing.dry_run_file(session.ledger, session.settings, path)

        lang = language_of(request)[0]
        dry, error, status = await run_in_threadpool(
            _run, served, user, lang, work, coop_of(request)
        )
        if error is not None:
            uploads.take(user, token)
            return page(request, "import.html.j2", status, title=TITLE, error=error)
        return page(request, "import.html.j2", title=TITLE, dry=dry, token=token, name=name)

    return handle


def confirm(served: Served, uploads: Uploads) -> Any:
    async def handle(request: Request) -> Response:
        user = user_of(request)
        if user is None:
            return RedirectResponse("/login", status_code=303)
        form = await request.form()
        if not csrf_ok(request, form):
            return forbidden()
        path = uploads.take(user, str(form.get("token", "")))
        if path is None:
            from scop_ledger.i18n import _, speaking

            with speaking(language_of(request)[0]):
                gone = _("this upload is no longer here: upload the file again")
            return page(request, "import.html.j2", 404, title=TITLE, error=gone)

        def work(session: Session) -> Any:
            from scop_ledger.app import importing

            return importing.import_file(session.ledger, session.settings, path)

        lang = language_of(request)[0]
        done, error, status = await run_in_threadpool(
            _run, served, user, lang, work, coop_of(request)
        )
        shutil.rmtree(path.parent, ignore_errors=True)
        answer = page(request, "import.html.j2", status, title=TITLE, error=error, done=done)
        return answer if done is None else kept_after(served, coop_of(request), answer)

    return handle


def routes(served: Served) -> list[Any]:
    uploads = Uploads()
    return [
        Route("/import", upload(served, uploads), methods=["GET", "POST"]),
        Route("/import/confirm", confirm(served, uploads), methods=["POST"]),
    ]
