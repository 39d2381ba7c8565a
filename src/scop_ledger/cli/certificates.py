"""Documents for partners: a share certificate, and the annual statements (one certificate per
partner at a financial year's end). Each asks the application (``app.certificates``) and writes
what it answers."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from scop_ledger.app import certificates
from scop_ledger.cli.context import get_app
from scop_ledger.cli.options import DATE, DATETIME, OutFile, WholeNumber, format_option
from scop_ledger.cli.render import emit_json, write_bytes
from scop_ledger.i18n import _, day, money


@click.command(
    help=_(
        "A partner's share certificate: their number, shares, nominal value, amount, paid-up "
        "amount, category, the movements of the year and the chain head it was drawn from; exit "
        "1 when they hold no share on the date."
    )
    + "\n\n\b\n"
    + _("Example:")
    + "\n  scop-ledger certificate alice --as-of 2024-12-31 --out alice-2024.pdf",
)
@click.argument("person")
@click.option(
    "--as-of", type=DATE, default=None, help=_("The date of the holding. Default: today.")
)
@click.option(
    "--known-at", type=DATETIME, default=None, help=_("As known at this moment (ISO 8601).")
)
@format_option("table", "json")
@click.option(
    "--out",
    type=OutFile(".pdf", ".html"),
    default=None,
    help=_("Write the certificate to this .pdf or .html file (the screen gets one line)."),
)
@click.pass_context
def certificate(
    ctx: click.Context,
    /,
    person: str,
    as_of: date | None,
    known_at: datetime | None,
    fmt: str,
    out: Path | None,
) -> None:
    cert = certificates.certificate(get_app(ctx), person, as_of, known_at)
    if out is not None:
        write_bytes(out, certificates.rendered(cert, out.suffix.lower().lstrip(".")))
        if fmt == "json":
            emit_json({"file": str(out), "person": cert.person})
        else:
            click.echo(
                _("certificate of {person} written to {file}").format(person=cert.person, file=out)
            )
    elif fmt == "json":
        click.echo(cert.model_dump_json())
    else:
        click.echo(_said(cert))


def _said(cert: certificates.Certificate) -> str:
    """The certificate in one line, for the screen."""
    return _(
        "{name} ({person}), partner no. {number}: {shares} shares of {value}, "
        "{amount}, of which {paid} paid up, on {date}"
    ).format(
        name=cert.name or cert.person,
        person=cert.person,
        number=cert.register_number or "-",
        shares=cert.shares,
        value=money(cert.share_value),
        amount=money(cert.amount),
        paid=money(cert.paid),
        date=day(cert.as_of),
    )


@click.command(
    help=_(
        "One certificate per partner holding shares at the end of the financial year, written "
        "into a folder as NUMBER-PERSON.pdf (the annual statement sent to every partner): all of "
        "them, or none."
    )
    + "\n\n\b\n"
    + _("Example:")
    + "\n  scop-ledger statements --year 2024 --out statements-2024/",
)
@click.option(
    "--year", type=WholeNumber(1900, 2199), required=True, help=_("Financial year (1900 to 2199).")
)
@click.option(
    "--known-at", type=DATETIME, default=None, help=_("As known at this moment (ISO 8601).")
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, dir_okay=True, writable=True, path_type=Path),
    required=True,
    help=_("The folder to write them into (it must exist)."),
)
@click.option(
    "--as",
    "kind",
    type=click.Choice(certificates.FORMATS),
    default="pdf",
    show_default=True,
    help=_("PDF or HTML files."),
)
@format_option("table", "json")
@click.pass_context
def statements(
    ctx: click.Context, /, year: int, known_at: datetime | None, out: Path, kind: str, fmt: str
) -> None:
    if not out.is_dir():
        from scop_ledger.domain.errors import InvalidValue

        raise InvalidValue(_("--out {folder}: no such folder").format(folder=out))
    result = certificates.statements(get_app(ctx), year, known_at, out, kind)
    if fmt == "json":
        emit_json(
            {"folder": str(out), "as_of": result.as_of, "files": [str(f) for f in result.files]}
        )
    else:
        click.echo(
            _("{count} statements as of {date} written to {folder}").format(
                count=len(result.files), date=day(result.as_of), folder=out
            )
        )
