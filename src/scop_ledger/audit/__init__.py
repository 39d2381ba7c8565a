"""Audit: verify the hash chain and its anchors, signed heads, what changed between two states of
knowledge, and the review pack. Reads the store and the read model; writes nothing but the
re-seeded chain."""
