"""``python -m scop_ledger`` runs the command line."""

from scop_ledger.cli.main import main

main(prog_name="scop-ledger")
