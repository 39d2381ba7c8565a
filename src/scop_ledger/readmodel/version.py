"""The view tables' schema version and the name of their tracking row: beside schema.py, apart
from it so that a query checks them on DB-API without importing SQLAlchemy (see access.py)."""

from __future__ import annotations

# The view tables' shape (schema.py); a store whose view has another version is rebuilt before
# use. Raise it with any change of their shape.
VIEW_SCHEMA_VERSION = 12
# The view's row in ``rm_tracking``.
TRACKING_NAME = "view"
