"""The translation catalogues: find what is missing, add it for the translator, compile.

    python scripts/i18n.py check            # every message translated, nothing stale (CI)
    python scripts/i18n.py missing FILE.po  # append the untranslated messages to FILE.po
    python scripts/i18n.py compile          # .po -> .mo (setup.py does it on every build)
    python scripts/i18n.py tidy             # drop stale messages and second copies (after a merge)

The messages are the English texts marked with ``_()``, ``N_()`` or ``ngettext()`` in
``src/scop_ledger`` (Python) and with ``_()``/``{% trans %}`` in its Jinja2 templates. The French
catalogue is split by area into ``src/scop_ledger/locale/fr/LC_MESSAGES/*.po``; a message lives
in exactly one of them.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "scop_ledger"
LOCALE = PACKAGE / "locale"
METHODS = [("**.py", "python"), ("**.j2", "jinja2")]
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "gettext": None}
OPTIONS = {"**.j2": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?:![rsa])?(?::[^{}]*)?\}")


def extracted() -> dict[str, list[str]]:
    """Every message of the source (the singular of a plural pair) with where it is used."""
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(PACKAGE), METHODS, options_map=OPTIONS, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


CLICK = "click.po"  # click's own messages, checked against click's source


def catalogues(lang: str = "fr") -> dict[Path, Catalog]:
    """The catalogues of our own messages (not click's)."""
    folder = LOCALE / lang / "LC_MESSAGES"
    out = {}
    for po in sorted(folder.glob("*.po")):
        if po.name == CLICK:
            continue
        with po.open("rb") as handle:
            out[po] = read_po(handle, locale=lang)
    return out


def placeholders(text: str) -> set[str]:
    return {m.group(1) for m in PLACEHOLDER.finditer(text)}


def click_problems(lang: str = "fr") -> list[str]:
    """Every message of the installed click that ``click.po`` does not translate."""
    import click

    po = LOCALE / lang / "LC_MESSAGES" / CLICK
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    translated = {
        (m.id[0] if isinstance(m.id, tuple) else m.id)
        for m in catalog
        if m.id and all(m.string if isinstance(m.string, tuple) else (m.string,))
    }
    out = []
    for _file, _line, message, _c, _x in extract_from_dir(
        str(Path(click.__file__).parent), [("**.py", "python")], keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid and msgid not in translated:
            out.append(f"{CLICK}: click's {msgid!r} has no {lang} translation")
    return out


def problems(lang: str = "fr") -> list[str]:
    """What keeps the catalogues of ``lang`` from covering the source (ours, and click's
    messages) exactly, one line each."""
    source = extracted()
    seen: dict[str, Path] = {}
    out: list[str] = []
    for po, catalog in catalogues(lang).items():
        for message in catalog:
            msgid = message.id[0] if isinstance(message.id, tuple) else message.id
            if not msgid:
                continue
            if msgid in seen:
                out.append(f"{po.name}: {msgid!r} is also in {seen[msgid].name}")
            seen[msgid] = po
            if msgid not in source:
                out.append(f"{po.name}: {msgid!r} is no longer in the source")
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if not all(strings) or message.fuzzy:
                out.append(f"{po.name}: {msgid!r} has no {lang} translation")
                continue
            for text in strings:
                if placeholders(text) != placeholders(msgid):
                    out.append(f"{po.name}: {msgid!r} and its translation differ in placeholders")
    for msgid, where in source.items():
        if msgid not in seen:
            out.append(f"{where[0]}: {msgid!r} has no {lang} translation (in no catalogue)")
    return out + click_problems(lang)


def missing(into: Path, lang: str = "fr") -> int:
    """Append every message of the source that no catalogue holds to ``into`` (untranslated)."""
    known = {
        (m.id[0] if isinstance(m.id, tuple) else m.id)
        for catalog in catalogues(lang).values()
        for m in catalog
    }
    if into.exists():
        with into.open("rb") as handle:
            target = read_po(handle, locale=lang)
    else:
        target = Catalog(locale=lang, project="scop-ledger", fuzzy=False)
    added = 0
    for msgid, where in extracted().items():
        if msgid not in known:
            target.add(
                msgid, "", locations=[(w.split(":")[0], int(w.split(":")[1])) for w in where]
            )
            added += 1
    into.parent.mkdir(parents=True, exist_ok=True)
    with into.open("wb") as handle:
        write_po(handle, target, width=100, sort_output=False)
    return added


def tidy(lang: str = "fr") -> list[str]:
    """Remove from the catalogues every message no longer in the source, and every second copy
    of a message (the first catalogue by name keeps it): what a merge of two branches leaves.
    The files are edited as text, entry by entry, so headers and comments stay as written."""
    from io import BytesIO

    source = extracted()
    seen: set[str] = set()
    removed = []
    for po in catalogues(lang):
        blocks = po.read_text(encoding="utf-8").split("\n\n")
        kept = []
        for block in blocks:
            entry = read_po(BytesIO(("\n".join(_header()) + "\n\n" + block).encode()))
            ids = [m.id[0] if isinstance(m.id, tuple) else m.id for m in entry if m.id]
            msgid = ids[0] if ids else None
            if msgid is not None and (msgid not in source or msgid in seen):
                removed.append(f"{po.name}: {msgid!r}")
                continue
            if msgid is not None:
                seen.add(msgid)
            kept.append(block)
        po.write_text("\n\n".join(kept), encoding="utf-8")
    return removed


def _header() -> list[str]:
    return ['msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"']


def compile_all() -> list[Path]:
    """Compile every ``.po`` under ``locale/`` to the ``.mo`` beside it."""
    written = []
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as handle:
            catalog = read_po(handle)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as handle:
            write_mo(handle, catalog)
        written.append(mo)
    return written


def main(argv: list[str]) -> int:
    if argv[:1] == ["check"]:
        found = problems()
        for line in found:
            print(line, file=sys.stderr)
        return 1 if found else 0
    if argv[:1] == ["missing"] and len(argv) == 2:
        print(f"{missing(Path(argv[1]))} messages added to {argv[1]}")
        return 0
    if argv[:1] == ["tidy"]:
        for line in tidy():
            print(f"removed {line}")
        return 0
    if argv[:1] == ["compile"]:
        for mo in compile_all():
            print(mo.relative_to(ROOT))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
