"""The command line: parse the options, ask the ledger (writes) or the view (queries, audits),
render the answer, and turn every error into one line and an exit code (main.py)."""
