"""The browser front end (``scop-ledger serve``): a Starlette application whose pages and JSON
API call the application services (``app/``) as the CLI does; it never touches the store, the
read model or SQL."""
