"""The pure domain: values, aggregates and the timeline fold. No I/O here."""

# A transfer's event is a Member entry defined in its own module (domain/transfer.py): imported
# with the domain, so that its topic is known wherever events are read.
from scop_ledger.domain import transfer as _transfer  # noqa: F401
