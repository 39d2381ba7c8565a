"""The application API every front end calls (the CLI, the browser): commands recorded through the
ledger, imports, queries, audit services. It may import every layer below; no front end goes
below it (docs/architecture.md)."""
