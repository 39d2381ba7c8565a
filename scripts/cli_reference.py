"""Generate docs/cli-reference.md from the commands' --help; ``--check`` fails when stale."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from scop_ledger.cli.main import main

TARGET = Path(__file__).resolve().parents[1] / "docs" / "cli-reference.md"


def render() -> str:
    parts = [
        "# CLI reference",
        "",
        "Generated from `--help` by `make docs-reference`; CI checks it is current.",
        "",
    ]
    root = click.Context(main, info_name="scop-ledger", terminal_width=100, max_content_width=100)
    parts += ["## scop-ledger", "", "```text", main.get_help(root).rstrip(), "```", ""]
    for name in main.list_commands(root):
        command = main.get_command(root, name)
        assert command is not None, name
        ctx = click.Context(
            command, info_name=name, parent=root, terminal_width=100, max_content_width=100
        )
        parts += [f"## {name}", "", "```text", command.get_help(ctx).rstrip(), "```", ""]
    return "\n".join(parts)


def run() -> int:
    text = render()
    if "--check" in sys.argv[1:]:
        current = TARGET.read_text() if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is stale: run 'make docs-reference'", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(run())
