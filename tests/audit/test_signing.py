"""Signed heads: a signature holds under its own key only."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization as s
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scop_ledger.audit.signing import BadKey, check_signature, sign_head

HEAD = "7:" + "cd" * 32


def keys(seed: int) -> tuple[bytes, bytes]:
    key = Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32)
    private = key.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption())
    public = key.public_key().public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo)
    return private, public


def test_a_signed_head_checks_under_its_key_only() -> None:
    private, public = keys(1)
    _, other = keys(2)
    signed = sign_head(HEAD, private)
    seq, hash_hex, signature = signed.split(":")
    assert f"{seq}:{hash_hex}" == HEAD
    assert check_signature(int(seq), hash_hex, signature, public)
    assert not check_signature(int(seq), hash_hex, signature, other)
    assert not check_signature(int(seq) + 1, hash_hex, signature, public)
    assert not check_signature(int(seq), hash_hex, "not base64!", public)


def test_a_key_of_the_wrong_kind_is_refused() -> None:
    private, public = keys(1)
    with pytest.raises(BadKey, match="not an unencrypted PEM private key"):
        sign_head(HEAD, public)
    with pytest.raises(BadKey, match="not a PEM public key"):
        check_signature(7, "cd" * 32, "x", private)
