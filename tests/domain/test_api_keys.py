"""API key rules without a database: why a key no longer works, when its use is recorded, its expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from seaway.domain.api_keys import ApiKey, expiry, prefix_of, validate_purpose
from seaway.errors import InvalidInput

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def key(**fields) -> ApiKey:
    return ApiKey(**{"user_id": 1, "purpose": "CI", "prefix": "API-ABCD", "created_at": NOW, **fields})


def test_a_key_works_until_it_is_revoked_or_expires():
    assert key().refusal(NOW) is None and key().state(NOW) == "active"
    expiring = key(expires_at=NOW + timedelta(days=1))
    assert expiring.refusal(NOW) is None
    assert expiring.refusal(NOW + timedelta(days=1)) == "the API key expired on 2026-03-03 09:00 UTC"
    assert expiring.state(NOW + timedelta(days=2)) == "expired"
    revoked = key(revoked_at=NOW, expires_at=NOW - timedelta(days=1))
    assert revoked.refusal(NOW) == "the API key was revoked on 2026-03-02 09:00 UTC"  # revoked says more than expired
    assert revoked.state(NOW) == "revoked"


def test_a_use_is_recorded_when_the_last_recorded_one_is_a_minute_old():
    assert key().use_is_stale(NOW)
    used = key(last_used_at=NOW)
    assert not used.use_is_stale(NOW + timedelta(seconds=59))
    assert used.use_is_stale(NOW + timedelta(minutes=1))


def test_the_prefix_is_the_first_eight_characters():
    assert prefix_of("API-ABCDEFGH0123") == "API-ABCD"


def test_an_expiry_is_in_days_or_at_a_time_in_the_future():
    assert expiry(NOW) is None
    assert expiry(NOW, in_days=90) == NOW + timedelta(days=90)
    assert expiry(NOW, at=NOW + timedelta(hours=1)) == NOW + timedelta(hours=1)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"in_days": 1, "at": NOW + timedelta(days=1)}, "expires_at"),
        ({"in_days": 0}, "expires_in_days"),
        ({"in_days": 3651}, "expires_in_days"),
        ({"at": NOW}, "expires_at"),
        ({"at": NOW + timedelta(days=3651)}, "expires_at"),
        ({"at": datetime(2027, 1, 1)}, "expires_at"),
    ],
)
def test_a_bad_expiry_is_refused_naming_the_field(fields, field):
    with pytest.raises(InvalidInput) as refused:
        expiry(NOW, **fields)
    assert refused.value.field == field


@pytest.mark.parametrize("purpose", ["", "   ", "two\nlines", "x" * 201])
def test_a_purpose_is_one_line_of_text(purpose):
    with pytest.raises(InvalidInput) as refused:
        validate_purpose(purpose)
    assert refused.value.field == "purpose"
    assert validate_purpose("  CI deploys  ") == "CI deploys"
