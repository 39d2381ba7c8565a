"""scop-ledger: an event-sourced membership and share-capital ledger for worker cooperatives."""

__version__ = "0.1.0"
