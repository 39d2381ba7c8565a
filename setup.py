"""Compile the translation catalogues (locale/*/LC_MESSAGES/*.po -> .mo) on every build, so that
an installed package, editable or not, speaks French. Everything else is in pyproject.toml."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

LOCALE = Path(__file__).parent / "src" / "scop_ledger" / "locale"


class BuildWithCatalogues(build_py):
    def run(self) -> None:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
            with po.open("rb") as handle:
                catalog = read_po(handle)
            with po.with_suffix(".mo").open("wb") as handle:
                write_mo(handle, catalog)
        super().run()


setup(cmdclass={"build_py": BuildWithCatalogues})
