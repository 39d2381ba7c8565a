"""The command line: parse, call the application, render. Nothing else lives here."""
