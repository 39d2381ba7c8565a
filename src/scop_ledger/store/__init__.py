"""The store: the event store (eventsourcing on SQLAlchemy), engines and transactions, the
append-only guards, the hash chain written with the events, a light DB-API connection for
queries."""
