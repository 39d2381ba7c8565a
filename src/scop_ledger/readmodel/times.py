"""Recorded times as the view tables store them: whole microseconds since the epoch (UTC)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICRO = timedelta(microseconds=1)


def micros(moment: datetime) -> int:
    """A UTC-aware datetime as whole microseconds since the epoch (exact)."""
    return (moment - EPOCH) // MICRO


def from_micros(value: int) -> datetime:
    """The UTC-aware datetime of ``value`` microseconds since the epoch."""
    return EPOCH + timedelta(microseconds=value)
