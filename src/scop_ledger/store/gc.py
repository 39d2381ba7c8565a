"""Bulk work: an import or a rebuild builds a million short-lived objects at once.

CPython's cyclic garbage collector runs a full pass whenever enough new objects have piled up,
and each pass walks every live object: over a large import those passes are a large part of the
work (docs/performance.md). Nothing these paths build needs the cycle collector (reference
counting frees it), so they pause it. The same holds, at a smaller scale, for a query building
thousands of result rows.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (nested blocks leave it paused).
    Also a decorator: ``@collector_paused()``."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
