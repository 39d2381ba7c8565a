"""Signed heads (Ed25519): a reviewer signs the head they saw, so that it can be proved later
which head that was."""

from __future__ import annotations

from scop_ledger.i18n import _

SIGNED = b"scop-ledger chain head "


class BadKey(ValueError):
    """A key file that is not the Ed25519 key asked for."""


def sign_head(head: str, private_pem: bytes) -> str:
    """``SEQ:HASH:SIGNATURE``: the head signed with an Ed25519 private key (PEM, PKCS8, not
    encrypted), the signature in URL-safe base64, so a reviewer can prove which head they saw."""
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(private_pem, password=None)
    except (ValueError, TypeError) as error:
        raise BadKey(
            _("not an unencrypted PEM private key ({error})").format(error=error)
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise BadKey(_("not an Ed25519 private key"))
    signature = key.sign(SIGNED + head.encode("ascii"))
    return f"{head}:{base64.urlsafe_b64encode(signature).decode('ascii')}"


def check_signature(seq: int, hash_hex: str, signature: str, public_pem: bytes) -> bool:
    """Whether ``signature`` (URL-safe base64) signs the head ``seq:hash_hex`` under the
    Ed25519 public key (PEM)."""
    import base64
    import binascii

    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    try:
        key = load_pem_public_key(public_pem)
    except (ValueError, TypeError) as error:
        raise BadKey(_("not a PEM public key ({error})").format(error=error)) from None
    if not isinstance(key, Ed25519PublicKey):
        raise BadKey(_("not an Ed25519 public key"))
    try:
        raw = base64.urlsafe_b64decode(signature.encode("ascii"))
        key.verify(raw, SIGNED + f"{seq}:{hash_hex}".encode("ascii"))
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True
