"""Domain events into stored events on the write side: the bytes eventsourcing's mapper writes,
for less work.

The mapper's transcoder writes the event's fields with the standard ``json`` module (compact
separators, no ASCII escaping), each value of a registered type (a date, a time, a decimal, a
UUID) as ``{"_type_": name, "_data_": text}``. :func:`encoder` writes an event whose fields are
all plain (text, whole numbers, booleans, None) or of a registered type whose transcoding gives
text with orjson, which writes the same bytes for these; any other event, or one orjson refuses
(an integer beyond 64 bits, text that is not valid Unicode), goes through the mapper, which
writes it, or refuses it, as it always did. The bytes matter: the hash chain and ``verify``
read them (``tests/store/test_encoding.py`` checks their identity)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import orjson
from eventsourcing.persistence import JSONTranscoder, StoredEvent
from eventsourcing.utils import get_topic

_PLAIN = frozenset({str, int, bool, type(None)})
# The types orjson gives ``default`` rather than writing them (dates and times: when told to).
_HANDED = frozenset({date, datetime, time, Decimal})


def encoder(mapper: Any) -> Callable[[Any], StoredEvent]:
    """``mapper.to_stored_event``, the same stored events for less work (see the module's
    docstring); the mapper's own where it compresses, encrypts or transcodes otherwise."""
    transcoder = mapper.transcoder
    if mapper.cipher is not None or mapper.compressor is not None:
        return mapper.to_stored_event  # type: ignore[no-any-return]
    if type(transcoder) is not JSONTranscoder:
        return mapper.to_stored_event  # type: ignore[no-any-return]
    state_bytes = state_encoder(transcoder)
    classes: dict[type, tuple[str, int]] = {}

    def to_stored_event(event: Any) -> StoredEvent:
        cls = type(event)
        found = classes.get(cls)
        if found is None:
            found = classes[cls] = (get_topic(cls), getattr(cls, "class_version", 1))
        topic, class_version = found
        state = dict(vars(event))
        originator_id = state.pop("originator_id")
        originator_version = state.pop("originator_version")
        if class_version > 1:
            state["class_version"] = class_version
        return StoredEvent(
            originator_id=originator_id,
            originator_version=originator_version,
            topic=topic,
            state=state_bytes(state),
        )

    return to_stored_event


def state_encoder(transcoder: JSONTranscoder) -> Callable[[dict[str, Any]], bytes]:
    """``transcoder.encode`` for an event's state (a dict): the same bytes, or the same error."""
    codings = {kind: (t.name, t.encode) for kind, t in transcoder.types.items()}
    # The values orjson writes itself as the transcoder does, and the registered types it hands
    # to ``coded`` (it would write a UUID, an enum or a float its own way: the transcoder's).
    written_here = _PLAIN | {kind for kind in codings if kind in _HANDED}
    dumps, refused = orjson.dumps, orjson.JSONEncodeError

    def coded(value: Any) -> dict[str, str]:
        name, encode = codings[type(value)]
        data = encode(value)
        if type(data) is not str:
            raise TypeError  # orjson refuses the state: the transcoder writes it
        return {"_type_": name, "_data_": data}

    def encode(state: dict[str, Any]) -> bytes:
        if not written_here.issuperset(map(type, state.values())):
            return transcoder.encode(state)
        try:  # a key that is not text is refused too
            written = dumps(state, default=coded, option=orjson.OPT_PASSTHROUGH_DATETIME)
        except refused:
            return transcoder.encode(state)
        # A copy of orjson's bytes, exactly their size: orjson's own keep the room it wrote
        # them in (kilobytes each), and a write holds a page of them.
        return bytes(memoryview(written))

    return encode
