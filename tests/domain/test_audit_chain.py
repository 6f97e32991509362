"""The hash chain without a database: canonical JSON, hashes, and every kind of tampering named at its event."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seaway.domain.audit_chain import (
    CHAIN_FIELDS,
    GENESIS_HASH,
    Checkpoint,
    canonical_json,
    event_hash,
    utc_text,
    verify_chain,
)
from seaway.domain.audit_exports import (
    AuditExport,
    export_csv,
    export_json,
    parse_bound,
    parse_period,
    read_export,
)
from seaway.errors import InvalidInput

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def fields(n: int, **overrides: Any) -> dict[str, Any]:
    return {
        "id": n,
        "at": T0 + timedelta(seconds=n),
        "actor": "alice",
        "actor_user_id": 3,
        "actor_kind": "user",
        "auth": "api-key",
        "channel": "api",
        "ip": "192.0.2.1",
        "user_agent": "curl/8",
        "action": "deployment.created",
        "entity": "deployment",
        "entity_id": f"Deployments-{n}",
        "project": "Quotes",
        "environment": "Prod",
        "details": {"n": n, "note": "ünïcode"},
        **overrides,
    }


def chain(count: int, first: int = 1, prev: str = GENESIS_HASH) -> list[dict[str, Any]]:
    events = []
    for n in range(first, first + count):
        event = {**fields(n), "prev_hash": prev}
        event["hash"] = prev = event_hash(prev, event)
        events.append(event)
    return events


def sign(event_id: int, head_hash: str, cid: int = 1) -> Checkpoint:
    """A stand-in signature: the domain only asks the check, so these tests need no key."""
    return Checkpoint(event_id, head_hash, "k" * 64, f"ok:{event_id}:{head_hash}", id=cid)


def check(checkpoint: Checkpoint) -> bool:
    return checkpoint.signature == f"ok:{checkpoint.last_event_id}:{checkpoint.head_hash}"


def verify(events, checkpoints=(), **options):
    return verify_chain(events, checkpoints, check, **options)


def test_the_canonical_json_has_sorted_keys_no_whitespace_and_utc_times():
    text = canonical_json(
        {**fields(1, at=datetime(2026, 3, 2, 10, 0, tzinfo=timezone(timedelta(hours=1)))), "prev_hash": "p"}
    )
    assert text.startswith('{"action":"deployment.created","actor":"alice","actor_kind":"user",')
    assert '"at":"2026-03-02T09:00:00.000000Z"' in text and " " not in text.replace("curl/8", "")
    assert '"note":"ünïcode"' in text
    assert list(json.loads(text)) == sorted(CHAIN_FIELDS)


def test_the_hash_is_sha256_of_the_canonical_json_with_the_previous_hash_in_it():
    event = {**fields(1), "prev_hash": "ignored", "hash": "ignored too"}
    expected = hashlib.sha256(canonical_json({**event, "prev_hash": GENESIS_HASH}).encode()).hexdigest()
    assert event_hash(GENESIS_HASH, event) == expected
    assert event_hash("1" * 64, event) != expected


def test_a_time_read_back_as_text_hashes_as_the_time_it_names():
    assert utc_text("2026-03-02T10:00:00+01:00") == utc_text(T0) == "2026-03-02T09:00:00.000000Z"
    with pytest.raises(ValueError, match="time zone"):
        utc_text("2026-03-02T09:00:00")


def test_an_intact_chain_with_its_checkpoint_verifies_and_says_what_it_checked():
    events = chain(5)
    result = verify(events, [sign(3, events[2]["hash"]), sign(5, events[4]["hash"], 2)], from_genesis=True)
    assert result.intact and result.checkpoints == 2 and result.signed_through == 5
    assert result.summary() == (
        "intact: 5 event(s) (AuditEvents-1 … AuditEvents-5), 2 checkpoint(s), signed through AuditEvents-5"
    )
    pending = verify(events, [sign(3, events[2]["hash"])], from_genesis=True)
    assert pending.intact and pending.summary().endswith(
        "signed through AuditEvents-3 (2 later event(s) not signed yet)"
    )


def test_an_empty_log_is_intact_but_checkpoints_without_events_mean_deletion():
    assert verify([], from_genesis=True).summary() == "intact: no events, 0 checkpoint(s)"
    gone = verify([], [sign(4, "h")], from_genesis=True)
    assert not gone.intact and gone.bad_event_id == 1


def test_a_range_from_mid_chain_takes_its_first_prev_hash_as_given_and_ignores_earlier_checkpoints():
    events = chain(10)
    piece = events[4:8]
    result = verify(piece, [sign(2, events[1]["hash"]), sign(8, events[7]["hash"], 2)], require_signed_end=True)
    assert result.intact and (result.first_event_id, result.last_event_id, result.checkpoints) == (5, 8, 1)
    unanchored = verify(piece, [], require_signed_end=True)
    assert not unanchored.intact and unanchored.bad_event_id == 5 and "no signed checkpoint" in unanchored.reason


def test_a_forged_or_altered_checkpoint_fails_and_names_the_first_event_it_no_longer_vouches_for():
    events = chain(8)
    good = sign(4, events[3]["hash"])
    forged = Checkpoint(8, events[7]["hash"], "x" * 64, "made up", id=2)
    result = verify(events, [good, forged], from_genesis=True)
    assert not result.intact and (result.bad_event_id, result.bad_checkpoint_id) == (5, 2)
    assert "checkpoint 2 (AuditEvents-8) is not signed by the audit key" in result.reason


def test_a_recomputed_chain_no_longer_matches_what_was_signed():
    events = chain(8)
    signed = [sign(4, events[3]["hash"]), sign(8, events[7]["hash"], 2)]
    rebuilt = [dict(e) for e in events]
    rebuilt[5]["actor"] = "mallory"  # event 6 edited, and 6 … 8 hashed again from the real 5
    prev = events[4]["hash"]
    for event in rebuilt[5:]:
        event["prev_hash"] = prev
        event["hash"] = prev = event_hash(prev, event)
    assert verify(rebuilt, from_genesis=True).intact  # the chain alone cannot tell
    result = verify(rebuilt, signed, from_genesis=True)
    assert not result.intact and (result.bad_event_id, result.bad_checkpoint_id) == (5, 2)
    assert result.summary().startswith(
        "NOT intact: AuditEvents-5: the chain from here to AuditEvents-8 is not the one checkpoint 2"
    )


def test_the_chain_head_catches_events_deleted_or_appended_at_the_end():
    events = chain(5)
    assert verify(events, head=(5, events[4]["hash"]), from_genesis=True).intact
    cut = verify(events[:4], head=(5, events[4]["hash"]), from_genesis=True)
    assert not cut.intact and cut.bad_event_id == 5 and "deleted" in cut.reason
    extra = chain(1, 6, prev=events[4]["hash"])
    appended = verify(events + extra, head=(5, events[4]["hash"]), from_genesis=True)
    assert not appended.intact and appended.bad_event_id == 6 and "inserted" in appended.reason


def test_ids_may_skip_where_the_links_hold_as_in_a_log_chained_after_the_fact():
    events = chain(1) + chain(1, 3, prev=chain(1)[0]["hash"])
    assert verify(events, from_genesis=True).intact


# -- one change anywhere in a valid chain is caught at the event it touches ------------------------------

MUTATIONS = ("edit", "delete", "insert", "swap")


def mutate(events: list[dict[str, Any]], kind: str, k: int, value: str) -> tuple[list[dict[str, Any]], int]:
    """Apply one change at position `k`; the id the verifier must name."""
    changed = [dict(e) for e in events]
    event_id = changed[k]["id"]
    if kind == "edit":
        changed[k]["details"] = {**changed[k]["details"], "note": value + "!"}
    elif kind == "delete":
        del changed[k]
    elif kind == "insert":  # a forged event with a correct hash, in the place (and under the id) of event k
        prev = changed[k - 1]["hash"] if k else GENESIS_HASH
        forged = {**fields(event_id, actor=value or "x"), "prev_hash": prev}
        forged["hash"] = event_hash(prev, forged)
        changed.insert(k, forged)
    else:  # swap k and k+1
        changed[k], changed[k + 1] = changed[k + 1], changed[k]
    return changed, event_id


@given(
    count=st.integers(2, 12),
    kind=st.sampled_from(MUTATIONS),
    position=st.integers(0, 11),
    value=st.text(max_size=5),
    from_genesis=st.booleans(),
)
def test_any_single_edit_delete_insert_or_swap_is_caught_at_the_right_event(count, kind, position, value, from_genesis):
    events = chain(count)
    k = position % (count - 1 if kind == "swap" else count)
    changed, expected = mutate(events, kind, k, value)
    last = events[-1]
    result = verify(changed, [sign(last["id"], last["hash"])], from_genesis=from_genesis)
    if kind == "delete" and k == 0 and not from_genesis:
        assert result.intact  # a range may start anywhere: without the first event it simply starts later
        return
    assert not result.intact, kind
    assert result.bad_event_id == expected, (kind, k, result.reason)


# -- exports -------------------------------------------------------------------------------------------


def an_export(events, checkpoints, split: int) -> AuditExport:
    return AuditExport(
        exported_at=T0,
        key_id="k" * 64,
        since=T0,
        until=T0 + timedelta(days=1),
        events=events[:split],
        anchor_events=events[split:],
        checkpoints=checkpoints,
    )


def test_an_export_reads_back_to_the_same_chain_and_verifies():
    events = chain(6)
    export = an_export(events, [sign(6, events[5]["hash"])], 4)
    back = read_export(export_json(export))
    assert [e["id"] for e in back.events] == [1, 2, 3, 4] and [e["id"] for e in back.anchor_events] == [5, 6]
    assert back.checkpoints == [Checkpoint(6, events[5]["hash"], "k" * 64, f"ok:6:{events[5]['hash']}", None, 1)]
    assert verify(back.chain, back.checkpoints, require_signed_end=True).intact


def test_the_csv_export_carries_the_hashes_and_the_details_as_canonical_json():
    events = chain(2)
    lines = export_csv(an_export(events, [], 2)).splitlines()
    assert lines[0] == ",".join((*CHAIN_FIELDS, "hash"))
    assert lines[1].startswith("1,2026-03-02T09:00:01.000000Z,alice,3,user,api-key,api,")
    assert lines[1].endswith(f"{GENESIS_HASH},{events[0]['hash']}") and '"{""n"":1,""note"":""ünïcode""}"' in lines[1]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("not json", "--file"),
        ('{"format": "other"}', "--file"),
        ('{"format": "seaway-audit-export/1", "exported_at": "2026-03-02T09:00:00Z", "key_id": "k"}', "events"),
    ],
)
def test_a_file_that_is_not_an_export_is_refused_naming_what(text, field):
    with pytest.raises(InvalidInput) as caught:
        read_export(text)
    assert caught.value.field == field


def test_a_malformed_event_in_an_export_is_named_by_its_path():
    events = chain(2)
    document = json.loads(export_json(an_export(events, [], 2)))
    document["events"][1]["id"] = "2"
    with pytest.raises(InvalidInput, match="expected an integer") as caught:
        read_export(json.dumps(document))
    assert caught.value.field == "events[1].id"
    document["events"][1]["id"] = 2
    document["events"][0]["at"] = "2026-03-02T09:00:00"
    with pytest.raises(InvalidInput, match="zone") as caught:
        read_export(json.dumps(document))
    assert caught.value.field == "events[0].at"


def test_range_bounds_take_dates_and_default_to_utc():
    assert parse_bound("2026-03-02", field="from") == datetime(2026, 3, 2, tzinfo=UTC)
    assert parse_bound("2026-03-02T10:00:00+01:00", field="from") == T0
    with pytest.raises(InvalidInput) as caught:
        parse_bound("yesterday", field="from")
    assert caught.value.field == "from"


def test_a_period_leaves_out_the_bounds_not_given_and_may_refuse_one_that_ends_first():
    assert parse_period(None, None) == (None, None)
    assert parse_period("2026-03-02", None) == (datetime(2026, 3, 2, tzinfo=UTC), None)
    assert parse_period("2026-03-03", "2026-03-02") == (
        datetime(2026, 3, 3, tzinfo=UTC),
        datetime(2026, 3, 2, tzinfo=UTC),
    )
    with pytest.raises(InvalidInput) as caught:
        parse_period("2026-03-03", "2026-03-02", fields=("--from", "--to"), ordered="range")
    assert caught.value.field == "--to" and caught.value.message == "the end of the range must come after its start"
    with pytest.raises(InvalidInput) as caught:
        parse_period(None, "soon")
    assert caught.value.field == "to"
