"""Stored events into domain events on the read side, without SQLAlchemy or the event store:
the transcodings of the stored JSON, and a lean decoder that gives what eventsourcing's mapper
gives. :func:`plain_decoder` needs no open store (a question that decodes the few entries of
the cooperative need not import the writing path)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.domain import EventSourcingError
from eventsourcing.persistence import StoredEvent, Transcoding
from eventsourcing.utils import TopicError, resolve_topic

# A transfer's event is a Member entry defined beside the aggregate (domain/transfer.py): its
# topic is registered when that module is imported, so wherever stored events are decoded.
from scop_ledger.domain import transfer as _transfer  # noqa: F401
from scop_ledger.i18n import N_
from scop_ledger.store.unreadable import UnreadableEntry, check_fields, unreadable


class DateAsISO(Transcoding):
    """``datetime.date`` as ``YYYY-MM-DD`` in the stored JSON."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def as_uuid(value: Any) -> UUID:
    if isinstance(value, UUID):
        return value
    if isinstance(value, bytes | memoryview):
        return UUID(bytes=bytes(value))
    return UUID(str(value))


def decoder(mapper: Any) -> Callable[[Any, int, str, bytes], Any]:
    """Stored event to domain event, as eventsourcing's mapper does (the same transcodings,
    the same upcasting), without its per-object JSON hook: the read side's hot loop."""
    if mapper.cipher is not None or mapper.compressor is not None:
        return lambda *row: _read_with_mapper(mapper, *row)
    decoders = _value_decoders(mapper)
    uuids: dict[bytes, UUID] = {}  # a page holds many events of each member
    classes: dict[str, tuple[Any, int]] = {}  # topic: class, class version
    # orjson parses the same JSON to the same values as json does, for less work (parsing is
    # a large part of a rebuild: docs/performance.md).
    loads = orjson.loads

    def decode(oid: Any, version: int, topic: str, state: bytes) -> Any:
        found = classes.get(topic)
        if found is None:
            try:
                cls = resolve_topic(topic)
            except TopicError as error:
                raise unreadable(error, topic) from None
            found = classes[topic] = (cls, getattr(cls, "class_version", 1))
        cls, class_version = found
        try:
            d = loads(state)
        except ValueError:
            raise UnreadableEntry(N_("its stored state is not valid JSON")) from None
        if type(d) is not dict:
            raise UnreadableEntry(N_("its stored state is not a JSON object"))
        inexact = False
        for key, value in d.items():
            if type(value) is dict and len(value) == 2 and "_type_" in value:
                d[key] = decoders[value["_type_"]](value["_data_"])
            elif type(value) is float:
                inexact = True
        if inexact:
            # No event holds a float; orjson reads an integer beyond 64 bits as one
            # (10**21 as 1e21). The standard module reads it exactly, as the mapper does.
            d = json.loads(state)
            for key, value in d.items():
                if type(value) is dict and len(value) == 2 and "_type_" in value:
                    d[key] = decoders[value["_type_"]](value["_data_"])
        key = oid if type(oid) is bytes else None  # SQLite gives the id's 16 bytes
        uuid = uuids.get(key) if key is not None else None
        if uuid is None:
            uuid = as_uuid(oid)
            if key is not None:
                uuids[key] = uuid
        d["originator_id"] = uuid
        d["originator_version"] = version
        from_version = d.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(d)
            from_version += 1
        check_fields(cls, d)
        event = object.__new__(cls)
        object.__setattr__(event, "__dict__", d)
        return event

    return decode


def _read_with_mapper(mapper: Any, oid: Any, v: int, topic: str, state: Any) -> Any:
    """:func:`decoder` for a store with a cipher or a compressor: eventsourcing's mapper."""
    try:
        event = mapper.to_domain_event(StoredEvent(as_uuid(oid), v, topic, bytes(state)))
    except (TopicError, EventSourcingError, ValueError) as error:
        raise unreadable(error, topic) from None
    check_fields(type(event), vars(event))
    return event


def _value_decoders(mapper: Any) -> dict[str, Callable[[str], Any]]:
    """The transcodings' decode methods by name, or the constructor each calls (one call less)."""
    from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr

    plain: dict[type, Callable[[str], Any]] = {DecimalAsStr: Decimal, DateAsISO: date.fromisoformat}
    plain[DatetimeAsISO] = datetime.fromisoformat
    return {
        name: plain.get(type(transcoding), transcoding.decode)
        for name, transcoding in mapper.transcoder.names.items()
    }


#: The environment variables through which eventsourcing would configure another mapper,
#: transcoder, cipher or compressor (each also prefixed by the application's name).
_MAPPER_SETTINGS = ("MAPPER_TOPIC", "TRANSCODER_TOPIC", "CIPHER_TOPIC", "COMPRESSOR_TOPIC")


def plain_decoder() -> Callable[[Any, int, str, bytes], Any] | None:
    """:func:`decoder` for the store's default mapper (JSON, the transcodings of
    :class:`~scop_ledger.store.eventstore.EventStore`), built without opening the store; None
    when the environment configures eventsourcing's mapper otherwise (then ask the store's)."""
    if any(key.endswith(_MAPPER_SETTINGS) for key in os.environ):
        return None
    from eventsourcing.persistence import (
        DatetimeAsISO,
        DecimalAsStr,
        JSONTranscoder,
        UUIDAsHex,
    )

    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    return decoder(SimpleNamespace(cipher=None, compressor=None, transcoder=transcoder))
