"""End to end: ``verify`` against a real store, and an attacker with file access who rewrites it.

The attacker bypasses the append-only guard (drops the triggers, or disables them on PostgreSQL)
as anyone holding the file or a superuser could; ``verify`` must still name what changed."""

from __future__ import annotations

import json
import sqlite3

import pytest

pytestmark = pytest.mark.e2e

ROWS = """action,date,person,name,shares,paid,amount,legal_person
hire,2020-01-06,alice,Alice,,,,
hire,2020-01-06,bob,,,,,
admit,2020-01-06,alice,,,,,
subscribe,2020-01-06,alice,,40,,,
admit,2020-01-06,bob,,,,,
subscribe,2020-01-06,bob,,30,500,,
pay-up,2020-01-06,bob,,,,250,
admit,2020-01-06,fund,,,,,true
subscribe,2020-01-06,fund,,20,,,
"""


def build(run, db: str, tmp_path) -> None:
    """The ledger a test starts from (its set-up: tests build it through the CLI in this
    process)."""
    init = ["init", "acme", "--name", "Acme", "--legal-form", "sarl", "--share-value", "25"]
    assert run(db, *init, "--date", "2020-01-06").code == 0
    rows = tmp_path / "rows.csv"
    rows.write_text(ROWS)
    result = run(db, "import", str(rows))
    assert result.code == 0, result.err


def verify(run_cli, db: str, *args: str) -> tuple[int, dict, str]:
    result = run_cli(db, "--read-only", "verify", *args, "--format", "json")
    return result.code, json.loads(result.out), result.err


def test_an_honest_chain_verifies_and_an_earlier_anchor_is_its_prefix(
    run_cli, run_here, store_url, tmp_path
) -> None:
    db = store_url
    build(run_here, db, tmp_path)
    code, first, err = verify(run_cli, db)
    assert code == 0 and first["ok"] and err == "", err
    seq, digest = first["head"].split(":")
    assert len(digest) == 64 and first["kept"] == first["entries"] == int(seq)
    # More entries later: the old head is a prefix of the longer chain.
    assert run_here(db, "withdraw", "alice", "--shares", "5", "--date", "2021-03-01").code == 0
    assert run_here(db, "hire", "carl", "--date", "2021-04-01").code == 0
    code, later, err = verify(run_cli, db, "--anchor", first["head"])
    assert code == 0 and later["ok"], err
    assert later["head"] != first["head"] and later["anchor"] == first["head"]
    # A wrong hash for the same position is not a prefix; nor is a position past the head.
    forged = f"{seq}:{'0' * 64}"
    code, out, err = verify(run_cli, db, "--anchor", forged)
    assert code == 1 and not out["ok"]
    assert err.startswith(f"error: the anchor {forged} is not a prefix of today's chain")
    code, _, err = verify(run_cli, db, "--anchor", f"99999:{digest}")
    assert code == 1 and "there is no entry 99999" in err
    bad = run_cli(db, "verify", "--anchor", "12-abc")
    assert bad.code == 2 and bad.err.count("\n") == 1 and "is not an anchor" in bad.err
    table = run_cli(db, "verify")
    assert table.code == 0 and table.out.splitlines()[0] == later["head"]


def tamper(path: str, sql: str, *params: object) -> None:
    """Rewrite the SQLite file directly, as someone with the file would."""
    con = sqlite3.connect(path)
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
        con.execute(f"DROP TRIGGER {name}")
    con.execute(sql, params)
    con.commit()
    con.close()


def row(path: str, seq: int) -> tuple:
    con = sqlite3.connect(path)
    found = con.execute(
        "SELECT originator_id, originator_version, topic, state FROM ledger_events WHERE id = ?",
        (seq,),
    ).fetchone()
    con.close()
    return found


def entry_id(run, db: str, action: str, person: str) -> int:
    history = json.loads(run(db, "history", person, "--format", "json").out)["entries"]
    return next(e["id"] for e in history if e["action"] == action)


@pytest.fixture
def ledger_file(run_cli, run_here, tmp_path):
    path = tmp_path / "ledger.db"
    db = f"sqlite:///{path}"
    build(run_here, db, tmp_path)  # recorded in-process: the installed script verifies
    code, out, _ = verify(run_cli, db)
    assert code == 0
    return db, str(path), out["head"]


@pytest.fixture
def alice_subscribes(run_here, ledger_file) -> int:
    """The entry of alice's subscription of 40 shares."""
    return entry_id(run_here, ledger_file[0], "subscribe", "alice")


def flip(path: str, seq: int) -> None:
    state = bytes(row(path, seq)[3])
    assert state.count(b'"shares":40') == 1, state
    # alice's 40 shares become 90 (not a "40" in the recorded time)
    state = state.replace(b'"shares":40', b'"shares":90')
    tamper(path, "UPDATE ledger_events SET state = ? WHERE id = ?", state, seq)


def test_a_flipped_byte_is_named(run_cli, ledger_file, alice_subscribes) -> None:
    db, path, anchor = ledger_file
    seq = alice_subscribes
    flip(path, seq)
    code, out, err = verify(run_cli, db)
    assert code == 1 and out["problem"].startswith(f"entry {seq} no longer matches the chain")
    assert err == f"error: {out['problem']}\n"
    assert out["head"].startswith(f"{seq - 1}:")  # the chain holds up to the entry before
    code, _, err = verify(run_cli, db, "--anchor", anchor)
    assert code == 1 and f"entry {seq} " in err


def test_a_deleted_row_is_named(run_cli, ledger_file) -> None:
    db, path, _ = ledger_file
    tamper(path, "DELETE FROM ledger_events WHERE id = 7")
    code, out, _ = verify(run_cli, db)
    assert code == 1 and out["problem"].startswith("entry 7 is missing")


def test_a_deleted_last_row_is_named(run_cli, ledger_file) -> None:
    db, path, anchor = ledger_file
    last = int(anchor.split(":")[0])
    tamper(path, "DELETE FROM ledger_events WHERE id = ?", last)
    code, out, _ = verify(run_cli, db)
    assert code == 1 and out["problem"].startswith(f"entry {last} is missing")


def test_two_swapped_rows_are_named(run_cli, run_here, ledger_file, alice_subscribes) -> None:
    db, path, _ = ledger_file
    first, second = alice_subscribes, entry_id(run_here, db, "subscribe", "fund")
    a, b = row(path, first), row(path, second)
    assert a[0] != b[0]  # two different people's entries
    tamper(path, "DELETE FROM ledger_events WHERE id IN (?, ?)", first, second)
    con = sqlite3.connect(path)
    insert = (
        "INSERT INTO ledger_events (id, originator_id, originator_version, topic, state) "
        "VALUES (?, ?, ?, ?, ?)"
    )
    con.execute(insert, (first, *b))
    con.execute(insert, (second, *a))
    con.commit()
    con.close()
    code, out, _ = verify(run_cli, db)
    assert code == 1
    assert out["problem"] == f"entry {first} is out of order: it holds what entry {second} held"


def test_a_rewrite_of_both_events_and_kept_chain_is_caught_by_the_anchor(
    run_cli, run_here, ledger_file
) -> None:
    """The attacker rewrites an entry and recomputes the chain kept in the store: only the
    anchor, kept outside, catches it."""
    db, path, anchor = ledger_file
    flip(path, entry_id(run_here, db, "subscribe", "alice"))
    tamper(path, "DELETE FROM rm_chain")
    from scop_ledger.store import chain

    con = sqlite3.connect(path)
    previous = chain.GENESIS
    for seq, oid, version, topic, stored in con.execute(
        "SELECT id, originator_id, originator_version, topic, state FROM ledger_events ORDER BY id"
    ).fetchall():
        digest = chain.content(oid, version, topic, bytes(stored))
        previous = chain.link(previous, seq, digest)
        con.execute(
            "INSERT INTO rm_chain (seq, content, link) VALUES (?, ?, ?)",
            (seq, digest.hex(), previous.hex()),
        )
    con.commit()
    con.close()
    # The seal of the kept chain still holds the old head: a kept chain rewritten behind it.
    code, out, _ = verify(run_cli, db)
    last = int(anchor.split(":")[0])
    assert code == 1 and out["problem"].startswith(f"entry {last} no longer matches the seal")
    con = sqlite3.connect(path)
    con.execute("UPDATE rm_chain_seal SET link = ? WHERE name = 'chain'", (previous.hex(),))
    con.commit()
    con.close()
    code, out, _ = verify(run_cli, db)
    assert code == 0 and out["head"] != anchor
    code, out, err = verify(run_cli, db, "--anchor", anchor)
    assert code == 1 and "is not a prefix of today's chain" in err


def test_postgresql_rows_rewritten_by_a_superuser_are_named(
    run_cli, run_here, pg_url, tmp_path
) -> None:
    import sqlalchemy

    from scop_ledger.store.engine import normalise_url

    build(run_here, pg_url, tmp_path)
    assert verify(run_cli, pg_url)[0] == 0
    seq = entry_id(run_here, pg_url, "subscribe", "alice")
    engine = sqlalchemy.create_engine(normalise_url(pg_url))
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text("ALTER TABLE ledger_events DISABLE TRIGGER USER"))
        conn.execute(
            sqlalchemy.text(
                "UPDATE ledger_events SET state = convert_to("
                "replace(convert_from(state, 'UTF8'), '40', '90'), 'UTF8') WHERE id = :seq"
            ),
            {"seq": seq},
        )
    engine.dispose()
    code, out, _ = verify(run_cli, pg_url)
    assert code == 1 and out["problem"].startswith(f"entry {seq} no longer matches the chain")


def test_diff_between_two_states_of_knowledge(run_cli, run_here, store_url, tmp_path) -> None:
    """Last year's figures moved: a back-dated subscription and a reversal recorded since."""
    db = store_url
    build(run_here, db, tmp_path)
    history = json.loads(run_cli(db, "history", "--format", "json").out)["entries"]
    t1 = history[-1]["recorded_at"]
    assert run_cli(db, "subscribe", "fund", "--shares", "60", "--date", "2020-06-01").code == 0
    alice = entry_id(run_here, db, "subscribe", "alice")
    assert run_cli(db, "reverse", str(alice), "--reason", "typo", "--date", "2021-01-04").code == 0
    assert run_cli(db, "hire", "carl", "--date", "2022-01-03").code == 0

    def compare(*args: str) -> dict:
        result = run_cli(db, "diff", "--from-known-at", t1, *args, "--format", "json")
        assert result.code == 0, result.err
        return json.loads(result.out)

    out = compare("--as-of", "2020-12-31")
    assert out["changed"] and out["from_known_at"] == t1
    assert out["before"]["shares"] == 90 and out["after"]["shares"] == 110
    assert out["before"]["employee_capital_ratio"] == "0.7778"
    assert out["after"]["employee_capital_ratio"] == "0.2727"
    assert out["holdings"] == [
        {"person": "alice", "from_shares": 40, "to_shares": 0},
        {"person": "fund", "from_shares": 20, "to_shares": 80},
    ]
    majority = next(c for c in out["compliance"] if c["rule"] == "employee-capital-majority")
    assert (majority["from_status"], majority["to_status"]) == ("ok", "breach")
    assert [(e["action"], e["affects_as_of"], e["reverses"]) for e in out["entries"]] == [
        ("subscribe", True, None),
        ("reverse", True, alice),
        ("hire", False, None),
    ]
    # As of a date before the back-dated subscription: only the reversal moves the figures.
    early = compare("--as-of", "2020-01-31")
    assert early["holdings"] == [{"person": "alice", "from_shares": 40, "to_shares": 0}]
    assert [e["affects_as_of"] for e in early["entries"]] == [False, True, False]
    same = run_cli(db, "diff", "--from-known-at", t1, "--to-known-at", t1)
    assert same.code == 2 and "is not before" in same.err
    table = run_cli(db, "diff", "--from-known-at", t1, "--as-of", "2020-12-31")
    assert table.code == 0 and "3 entries recorded in between" in table.out


def test_a_signed_head_proves_which_head_the_reviewer_saw(run_cli, ledger_file, tmp_path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    def keypair(name: str) -> tuple[str, str]:
        key = Ed25519PrivateKey.generate()
        private, public = tmp_path / f"{name}.pem", tmp_path / f"{name}.pub"
        private.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        public.write_bytes(
            key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        return str(private), str(public)

    db, _path, head = ledger_file
    reviewer, reviewer_pub = keypair("reviewer")
    _other, other_pub = keypair("other")
    code, out, _ = verify(run_cli, db, "--sign", reviewer)
    assert code == 0 and out["signed"].startswith(f"{head}:")
    signed = out["signed"]
    code, out, err = verify(run_cli, db, "--anchor", signed, "--check-signature", reviewer_pub)
    assert code == 0 and out["signature_checked"] and out["anchor"] == head, err
    # Another key, a tampered head or no signature at all: refused.
    code, _, err = verify(run_cli, db, "--anchor", signed, "--check-signature", other_pub)
    assert code == 1 and "was not made with the key of" in err
    seq, _digest, signature = signed.split(":")
    forged = f"{seq}:{'0' * 64}:{signature}"
    assert verify(run_cli, db, "--anchor", forged, "--check-signature", reviewer_pub)[0] == 1
    unsigned = run_cli(db, "verify", "--anchor", head, "--check-signature", reviewer_pub)
    assert unsigned.code == 2 and "needs a signed --anchor" in unsigned.err
    wrong_key = run_cli(db, "verify", "--sign", reviewer_pub)
    assert wrong_key.code == 2 and "not an unencrypted PEM private key" in wrong_key.err
    assert wrong_key.err.count("\n") == 1


# ------------------------------------------------------------------ trust, part 2 (issue 14)


def sql(db: str, statement: str, params: dict | None = None) -> list[tuple]:
    """Plain SQL on the store, as someone holding the file or a database login would run it."""
    import sqlalchemy

    from scop_ledger.store.engine import normalise_url

    engine = sqlalchemy.create_engine(normalise_url(db))
    try:
        with engine.begin() as conn:
            result = conn.execute(sqlalchemy.text(statement), params or {})
            return [tuple(r) for r in result] if result.returns_rows else []
    finally:
        engine.dispose()


def drop_guards(db: str) -> None:
    if db.startswith("sqlite"):
        for (name,) in sql(db, "SELECT name FROM sqlite_master WHERE type = 'trigger'"):
            sql(db, f"DROP TRIGGER {name}")
    else:
        sql(db, "ALTER TABLE ledger_events DISABLE TRIGGER USER")


def forge(db: str, seq: int, shares: int, *, moment: str | None = None) -> int:
    """Append a copy of entry ``seq`` as the next entry and the next version of its record,
    with ``shares`` in its state, keeping the recorded time it copied (or ``moment``'s): a plain
    INSERT, which the append-only guards allow."""
    oid, topic, state = sql(
        db, "SELECT originator_id, topic, state FROM ledger_events WHERE id = :s", {"s": seq}
    )[0]
    (version,) = sql(
        db,
        "SELECT max(originator_version) FROM ledger_events WHERE originator_id = :o",
        {"o": oid},
    )[0]
    (head,) = sql(db, "SELECT max(id) FROM ledger_events")[0]
    data = json.loads(bytes(state))
    data["shares"] = shares
    if moment is not None:
        data["timestamp"]["_data_"] = moment
    sql(
        db,
        "INSERT INTO ledger_events (id, originator_id, originator_version, topic, state) "
        "VALUES (:id, :o, :v, :t, :s)",
        {
            "id": head + 1,
            "o": oid,
            "v": version + 1,
            "t": topic,
            "s": json.dumps(data, separators=(",", ":")).encode(),
        },
    )
    return head + 1


def shares_known_at(run_cli, db: str, moment: str) -> int:
    result = run_cli(db, "capital", "--known-at", moment, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)["shares"]


def test_a_back_dated_forged_entry_is_named_and_never_known_earlier(
    run_cli, run_here, store_url, tmp_path
) -> None:
    """Issue 14, 1: a copy of alice's subscription appended with 500 shares and the old recorded
    time. verify, the anchor, capital --known-at and diff all saw nothing before."""
    db = store_url
    build(run_here, db, tmp_path)
    code, reviewed, _ = verify(run_cli, db)
    assert code == 0
    before = reviewed["recorded_at"]  # the moment of the review: the head's recorded time
    assert shares_known_at(run_cli, db, before) == 90
    assert run_cli(db, "hire", "carl", "--date", "2021-04-01").code == 0  # life goes on
    forged = forge(db, entry_id(run_here, db, "subscribe", "alice"), 500)
    # As known at the review, the ledger did not hold the forged entry.
    assert shares_known_at(run_cli, db, before) == 90
    now = json.loads(run_cli(db, "capital", "--format", "json").out)
    assert now["shares"] == 590  # it is in the log now, and today's figures show it
    code, out, _ = verify(run_cli, db)
    assert code == 1 and out["problem"].startswith(f"entry {forged} was recorded at ")
    assert f"before entry {forged - 1} " in out["problem"], out["problem"]
    code, out, _ = verify(run_cli, db, "--anchor", reviewed["head"])
    assert code == 1 and out["problem"].startswith(f"entry {forged} was recorded at ")
    assert f"not after the anchor {reviewed['head']}" in out["problem"]
    diff = run_cli(db, "diff", "--from-known-at", before, "--format", "json")
    assert diff.code == 0, diff.err
    changed = json.loads(diff.out)
    assert changed["changed"] and changed["before"]["shares"] == 90
    assert changed["after"]["shares"] == 590
    assert [e["id"] for e in changed["entries"]][-1] == forged
    history = json.loads(
        run_cli(db, "history", "alice", "--known-at", before, "--format", "json").out
    )
    assert forged not in [e["id"] for e in history["entries"]]


def test_a_forged_entry_at_the_reviewed_time_is_named_by_the_anchors_file(
    run_cli, run_here, store_url, tmp_path
) -> None:
    """The forged copy claims the very time of the last reviewed entry: times do not go
    backwards, the kept chain follows it, the anchor is a prefix. But every write is stamped
    strictly after the entry ahead of it, so an entry after the anchor at the anchor's own
    time was not written by the ledger; the anchors file also knows when the review took
    place."""
    db = store_url
    build(run_here, db, tmp_path)
    anchors = tmp_path / "anchors.jsonl"
    code, reviewed, _ = verify(run_cli, db, "--anchor-out", str(anchors))
    assert code == 0 and reviewed["anchor_out"] == str(anchors)
    line = json.loads(anchors.read_text().splitlines()[0])
    assert line["anchor"] == reviewed["head"] and line["recorded_at"] == reviewed["recorded_at"]
    forged = forge(
        db, entry_id(run_here, db, "subscribe", "alice"), 500, moment=line["recorded_at"]
    )
    code, out, _ = verify(run_cli, db, "--anchor", reviewed["head"])
    assert code == 1 and out["problem"].startswith(f"entry {forged} was recorded at ")
    assert f"not after the anchor {reviewed['head']}" in out["problem"]
    code, out, _ = verify(run_cli, db, "--anchors", str(anchors))
    assert code == 1 and out["problem"].startswith(f"entry {forged} was recorded at ")


def test_dropping_the_kept_chain_is_a_finding_until_explicitly_reseeded(
    run_cli, run_here, store_url, tmp_path
) -> None:
    """Issue 14, 2: an entry edited and the kept chain dropped. verify said "0 checked" and
    exit 0; now it names the first entry, before and after the projector runs again, until
    someone re-seeds the chain on purpose."""
    db = store_url
    build(run_here, db, tmp_path)
    anchors = tmp_path / "anchors.jsonl"
    assert verify(run_cli, db, "--anchor-out", str(anchors))[0] == 0
    seq = entry_id(run_here, db, "subscribe", "alice")
    drop_guards(db)
    sql(
        db,
        "UPDATE ledger_events SET originator_version = originator_version WHERE id = :s",
        {"s": seq},
    )
    sql(db, "DROP TABLE rm_chain")
    code, out, err = verify(run_cli, db)
    assert code == 1 and out["problem"].startswith("entry 1 is not vouched for"), err
    assert "0 checked" not in err
    # Queries and writes re-create the table; the projector does not re-seed it.
    assert run_cli(db, "capital").code == 0
    assert run_cli(db, "hire", "carl", "--date", "2021-04-01").code == 0
    code, out, _ = verify(run_cli, db)
    assert code == 1 and out["problem"].startswith("entry 1 is missing from the chain kept")
    reseeded = run_cli(db, "verify", "--reseed-chain")
    assert reseeded.code == 0 and "re-seeded the kept chain from the" in reseeded.out
    assert "it held 0 entries" in reseeded.out
    code, out, _ = verify(run_cli, db)
    assert code == 0 and out["reseeded_at"] is not None
    table = run_cli(db, "--read-only", "verify")
    assert "the kept chain was re-seeded at" in table.out
    code, out, _ = verify(run_cli, db, "--anchors", str(anchors))
    assert code == 0  # the entry's bytes are as they were


def test_cutting_the_kept_chain_short_after_an_edit_names_the_edited_entry(
    run_cli, run_here, store_url, tmp_path
) -> None:
    db = store_url
    build(run_here, db, tmp_path)
    anchors = tmp_path / "anchors.jsonl"
    assert verify(run_cli, db, "--anchor-out", str(anchors))[0] == 0
    seq = entry_id(run_here, db, "subscribe", "alice")
    drop_guards(db)
    (state,) = sql(db, "SELECT state FROM ledger_events WHERE id = :s", {"s": seq})[0]
    edited = bytes(state).replace(b'"shares":40', b'"shares":90')
    sql(db, "UPDATE ledger_events SET state = :b WHERE id = :s", {"b": edited, "s": seq})
    sql(db, "DELETE FROM rm_chain WHERE seq >= :s", {"s": seq})
    code, out, _ = verify(run_cli, db)
    assert code == 1 and out["problem"].startswith(f"entry {seq} is missing from the chain kept")
    # Both the events and the whole kept chain and its seal rewritten: the anchors file names
    # the edited entry, not the last one.
    reseeded = run_cli(db, "verify", "--reseed-chain")
    assert reseeded.code == 0 and f"the first entry that differed: {seq}" in reseeded.out
    assert verify(run_cli, db)[0] == 0
    code, out, _ = verify(run_cli, db, "--anchors", str(anchors))
    assert code == 1 and out["problem"].startswith(f"entry {seq} no longer matches the anchor")


def test_a_state_rewritten_as_text_is_named(run_cli, ledger_file, alice_subscribes) -> None:
    """Issue 13, 6: a TypeError before."""
    db, path, _ = ledger_file
    tamper(
        path,
        "UPDATE ledger_events SET state = CAST(state AS TEXT) WHERE id = ?",
        alice_subscribes,
    )
    result = run_cli(db, "--read-only", "verify")
    assert result.code == 1 and "Traceback" not in result.err
    assert result.err.startswith(f"error: entry {alice_subscribes} no longer matches the chain")


def test_a_gap_in_a_records_versions_is_named(run_cli, run_here, store_url, tmp_path) -> None:
    db = store_url
    build(run_here, db, tmp_path)
    seq = entry_id(run_here, db, "subscribe", "alice")
    oid, version, topic, state = sql(
        db,
        "SELECT originator_id, originator_version, topic, state FROM ledger_events WHERE id = :s",
        {"s": seq},
    )[0]
    (head,) = sql(db, "SELECT max(id) FROM ledger_events")[0]
    sql(
        db,
        "INSERT INTO ledger_events (id, originator_id, originator_version, topic, state) "
        "VALUES (:id, :o, :v, :t, :s)",
        {"id": head + 1, "o": oid, "v": version + 5, "t": topic, "s": bytes(state)},
    )
    code, out, _ = verify(run_cli, db)
    assert code == 1 and out["problem"].startswith(f"entry {head + 1} is version {version + 5}")


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT OR REPLACE INTO ledger_events (id, originator_id, originator_version, topic, "
        "state) SELECT id, originator_id, originator_version, topic, X'7B7D' FROM ledger_events "
        "WHERE id = 5",
        "REPLACE INTO ledger_events (id, originator_id, originator_version, topic, state) "
        "SELECT 999, originator_id, originator_version, topic, X'7B7D' FROM ledger_events "
        "WHERE id = 5",
        "INSERT INTO ledger_events (id, originator_id, originator_version, topic, state) "
        "SELECT id, originator_id, originator_version, topic, X'7B7D' FROM ledger_events "
        "WHERE id = 5 ON CONFLICT (id) DO UPDATE SET state = excluded.state",
    ],
)
def test_sqlite_refuses_to_replace_a_stored_row(run_cli, ledger_file, statement) -> None:
    """Issue 14, 3: INSERT OR REPLACE deleted the row without firing the DELETE guard."""
    db, path, _ = ledger_file
    con = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute(statement)
    con.rollback()
    con.close()
    assert verify(run_cli, db)[0] == 0


def test_postgresql_least_privilege_login(run_cli, run_here, pg_url, tmp_path) -> None:
    """Issue 14, 3: docs/store.md's set-up. The owner role creates the store; the application
    logs in as a role granted SELECT and INSERT on the events and the view tables' rows: it
    records, reads and verifies, and cannot UPDATE, DELETE, TRUNCATE or disable the guards."""
    import uuid as _uuid
    from urllib.parse import parse_qs, urlsplit, urlunsplit

    import sqlalchemy

    build(run_here, pg_url, tmp_path)  # as the owner (here the test's superuser login)
    schema = parse_qs(urlsplit(pg_url).query)["options"][0].split("=", 1)[1]
    app = f"scop_app_{_uuid.uuid4().hex[:10]}"
    grants = [
        f"CREATE ROLE {app} LOGIN",
        f"GRANT USAGE ON SCHEMA {schema} TO {app}",
        # UPDATE only for the EXCLUSIVE lock that orders writers: the guard refuses updates.
        f"GRANT SELECT, INSERT, UPDATE ON ledger_events TO {app}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {app}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {app}",
        f"REVOKE DELETE, TRUNCATE ON ledger_events FROM {app}",
    ]
    for statement in grants:
        sql(pg_url, statement)
    parts = urlsplit(pg_url)
    app_url = urlunsplit(parts._replace(netloc=f"{app}@{parts.netloc.split('@', 1)[1]}"))
    try:
        assert run_cli(app_url, "subscribe", "bob", "--shares", "5").code == 0
        capital = run_cli(app_url, "capital", "--format", "json")
        assert capital.code == 0 and json.loads(capital.out)["shares"] == 95, capital.err
        assert verify(run_cli, app_url)[0] == 0
        for statement in (
            "UPDATE ledger_events SET topic = topic",
            "DELETE FROM ledger_events",
            "TRUNCATE ledger_events",
            "ALTER TABLE ledger_events DISABLE TRIGGER USER",
            "DROP TRIGGER ledger_events_no_update_delete ON ledger_events",
        ):
            with pytest.raises(
                sqlalchemy.exc.DBAPIError, match="permission denied|must be owner|append-only"
            ):
                sql(app_url, statement)
    finally:
        sql(pg_url, f"DROP OWNED BY {app}")
        sql(pg_url, f"DROP ROLE {app}")


def test_a_finding_is_said_in_french_and_json_stays_english(
    run_cli, ledger_file, alice_subscribes
) -> None:
    """``--lang fr``: the finding on stderr, the summary and the pack's line are French; the JSON
    answer and the exit code are the same as in English."""
    db, path, anchor = ledger_file
    fine = run_cli(db, "--lang", "fr", "--read-only", "verify", "--anchor", anchor)
    assert fine.code == 0 and fine.out.splitlines()[0] == anchor
    assert "écritures chaînées ; " in fine.out and f"l'ancre {anchor} tient" in fine.out
    seq = alice_subscribes
    flip(path, seq)
    english = run_cli(db, "--read-only", "verify", "--format", "json")
    french = run_cli(db, "--lang", "fr", "--read-only", "verify", "--format", "json")
    assert english.code == french.code == 1 and english.out == french.out
    assert json.loads(french.out)["problem"].startswith(f"entry {seq} no longer matches the chain")
    assert french.err == (
        f"erreur : l'écriture {seq} ne correspond plus à la chaîne : ses octets enregistrés "
        "ont changé depuis son enregistrement\n"
    )
    table = run_cli(db, "--lang", "fr", "--read-only", "verify", "--anchor", anchor)
    assert table.code == 1
    assert table.out.splitlines()[1] == (
        f"la chaîne tient pour les {seq - 1} écritures avant le problème"
    )
    page = path + ".html"
    made = run_cli(db, "--lang", "fr", "--read-only", "report", "--out", page)
    assert made.code == 0, made.err
    assert " ; tête de la chaîne " in made.out and "(ROMPUE : l'écriture " in made.out
    bad = run_cli(db, "--lang", "fr", "--read-only", "verify", "--anchor", "12-abc")
    assert bad.code == 2 and bad.err == (
        "erreur : --anchor : '12-abc' n'est pas une ancre SEQ:HASH (SEQ un nombre positif)\n"
    )


def test_the_french_review_pack_renders_in_chromium(run_cli, run_here, store_url, tmp_path) -> None:
    """The pack under ``--lang fr``: reproducible, ``lang="fr"``, and in a real browser every
    heading French (none of the English pack's left), amounts and dates written the French way;
    the English pack of the same moment stays English."""
    import html
    import re
    from datetime import UTC, datetime
    from pathlib import Path

    from tests.e2e.test_report_e2e import SAMPLE, browse

    db = store_url
    init = ["init", "fabrique", "--name", "La Fabrique", "--legal-form", "sarl"]
    assert run_here(db, *init, "--share-value", "25", "--date", "2014-01-06").code == 0
    assert run_here(db, "import", str(SAMPLE)).code == 0
    # To the microsecond: cut to the second, it could come before the import's last entries.
    moment = datetime.now(UTC).isoformat()
    report = ["--read-only", "report", "--as-of", "2025-12-31", "--known-at", moment]
    pages = {name: tmp_path / f"{name}.html" for name in ("fr", "fr-again", "en")}
    for name, page in pages.items():
        lang = ["--lang", "en" if name == "en" else "fr"]
        made = run_cli(db, *lang, *report, "--out", str(page))
        assert made.code == 0, made.err
    assert made.out.startswith(f"{pages['en']}: review pack of fabrique as of 2025-12-31;")
    french = pages["fr"].read_bytes()
    assert french == pages["fr-again"].read_bytes()  # same inputs, same bytes
    assert b'<html lang="fr">' in french and b'<html lang="en">' in pages["en"].read_bytes()
    source = french.decode()
    assert "<script" not in source
    assert not re.search(r"""(src|href)=["']?(https?:|//)|url\(\s*["']?https?:""", source)

    def headings(markup: str) -> list[str]:
        found = re.findall(r"<(h[1-3]|th|dt|title)\b[^>]*>(.*?)</\1>", markup, flags=re.S)
        return [
            re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", t))).strip() for _, t in found
        ]

    def dom(page: Path) -> str:
        shown = browse(page, "--dump-dom")
        assert shown.returncode == 0, shown.stderr[-500:]
        return shown.stdout

    french_dom = dom(pages["fr"])
    assert re.search(r"<html[^>]*\blang=\"fr\"", french_dom)
    shown = headings(french_dom)
    for heading in (
        "Dossier de révision — La Fabrique",
        "Coopérative",
        "Période",
        "Conformité au 31/12/2025",
        "Part des associés salariés sur toute la période",
        "Constats de conformité",
        "Manquements sur la période",
        "Registre des mouvements de parts sociales",
        "Remboursements dus et leur ancienneté",
        "Mandats",
        "Affectation des excédents par exercice",
        "Représentants légaux au fil du temps",
        "Écritures enregistrées en retard ou contre-passées",
        "Valeur nominale de la part",
        "Restant dû",
    ):
        assert heading in shown, heading
    same_word = {"Date", "Action"}  # written alike in both languages
    english = set(headings(pages["en"].read_text())) - same_word
    assert "Compliance findings" in english and "Register of share movements" in english
    assert not english & set(shown), english & set(shown)
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", french_dom)))
    assert "du 06/01/2014 (immatriculation) au 31/12/2025" in text
    assert "NON conforme : surplus-allocation, refunds-due" in text  # 2016 never allocated
    assert "Valeur nominale de la part 25,00 €" in text  # spaces: no-break ones, normalised
    assert "en retard de 1 à 2 ans 1 500,00" in text
    assert "chloe gérant 06/01/2022 06/01/2026 oui" in text
    assert "2016 30/06/2017 manquante" in text and "Représentants légaux en fonction" in text
    assert "minimum 51 %" in text and "minimum 65 %" in text  # the charts' legends
    assert "Review pack" not in text and "NOT compliant" not in text
    shot = tmp_path / "fr.png"
    painted = browse(pages["fr"], f"--screenshot={shot}")
    assert painted.returncode == 0 and shot.exists(), painted.stderr[-500:]
    assert shot.stat().st_size > 50_000
