"""The read side: view tables kept level with the notification log, and point-in-time queries.

Reads never replay aggregates: the projector folds each new event once, into rows that carry
both times (effective date, and the knowledge interval ``known_from``/``known_to``), and queries
pick the rows valid for an ``as_of`` date and a ``known_at`` moment.
"""
