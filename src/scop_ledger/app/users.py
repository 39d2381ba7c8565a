"""Who may write through the browser: users with a password, its argon2 hash kept in the store
(``store.users``), never in the events."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scop_ledger.i18n import _

if TYPE_CHECKING:
    from scop_ledger.app.session import Session

MIN_PASSWORD = 8


def add(session: Session, name: str, password: str) -> None:
    """Add the user ``name`` with ``password`` (hashed with argon2id); refused when the name is
    taken or the password shorter than :data:`MIN_PASSWORD` characters."""
    from argon2 import PasswordHasher

    from scop_ledger.app.ledger import ensure_writable
    from scop_ledger.domain.errors import InvalidValue, Refused
    from scop_ledger.domain.values import MAX_NAME, single_line
    from scop_ledger.store.users import UserExists, add_user

    ensure_writable(session.settings, "no user can be added")
    single_line(name, what="NAME", limit=MAX_NAME)
    if not name.strip() or name != name.strip():
        raise InvalidValue(_("NAME: a name without spaces around it"))
    if len(password) < MIN_PASSWORD:
        raise InvalidValue(
            _("the password must have at least {count} characters").format(count=MIN_PASSWORD)
        )
    try:
        # The store is made when there is none yet: the cooperative can then be registered
        # in the browser, by the user logged in (serve --write).
        add_user(session.ledger(create=True).engine, name, PasswordHasher().hash(password))
    except UserExists:
        raise Refused(_("user {name!r} already exists").format(name=name)) from None


def check(session: Session, name: str, password: str) -> bool:
    """Whether ``password`` is the password of ``name`` (False for an unknown name, after as
    long a wait as for a known one)."""
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    from scop_ledger.store.users import password_hash

    hasher = PasswordHasher()
    stored = password_hash(session.ledger().engine, name)
    if stored is None:
        hasher.hash(password)
        return False
    try:
        return bool(hasher.verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False
