"""The command line: each command parses its options, makes one call to the application (app/)
and renders the answer; main.py is the root group (a table of the commands, each module imported
when its command runs) and turns every error into one line and an exit code."""
