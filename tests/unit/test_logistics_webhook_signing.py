"""Webhook signatures: HMAC-SHA256 over timestamp and raw body, fresh within five minutes."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from journey.command_side.logistics import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    InvalidSignature,
    MalformedWebhook,
    StaleWebhook,
    signed_headers,
)
from journey.command_side.logistics.webhooks import parse, signature, verify
from tests.support.logistics import SECRET

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
BODY = (
    b'{"carrier":"simcarrier","updates":[{"update_id":"u1","tracking_number":"SC1",'
    b'"status":"in_transit","occurred_at":"2026-03-02T11:00:00Z","detail":""}]}'
)


def test_a_body_signed_with_the_shared_secret_and_a_fresh_timestamp_is_accepted() -> None:
    headers = signed_headers(SECRET, BODY, NOW)
    assert headers[SIGNATURE_HEADER].startswith("sha256=")
    verify(SECRET, BODY, headers, now=NOW + timedelta(minutes=4, seconds=59))
    lowered = {name.lower(): value for name, value in headers.items()}
    verify(SECRET, BODY, lowered, now=NOW)  # header names are case-insensitive


def test_a_changed_body_a_wrong_secret_or_a_missing_header_is_refused() -> None:
    headers = signed_headers(SECRET, BODY, NOW)
    with pytest.raises(InvalidSignature, match="does not match"):
        verify(SECRET, BODY.replace(b"in_transit", b"delivered"), headers, now=NOW)
    with pytest.raises(InvalidSignature, match="does not match"):
        verify(b"another-secret-of-some-length", BODY, headers, now=NOW)
    for missing in (SIGNATURE_HEADER, TIMESTAMP_HEADER):
        partial = {name: value for name, value in headers.items() if name != missing}
        with pytest.raises(InvalidSignature, match="missing"):
            verify(SECRET, BODY, partial, now=NOW)
    with pytest.raises(InvalidSignature, match="Unix time"):
        verify(SECRET, BODY, {**headers, TIMESTAMP_HEADER: "yesterday"}, now=NOW)


def test_the_timestamp_is_signed_so_a_replay_cannot_be_refreshed() -> None:
    old = signed_headers(SECRET, BODY, NOW - timedelta(minutes=6))
    with pytest.raises(StaleWebhook):
        verify(SECRET, BODY, old, now=NOW)
    refreshed = {**old, TIMESTAMP_HEADER: str(int(NOW.timestamp()))}
    with pytest.raises(InvalidSignature, match="does not match"):
        verify(SECRET, BODY, refreshed, now=NOW)


def test_a_timestamp_too_far_in_the_future_is_refused_as_well() -> None:
    ahead = signed_headers(SECRET, BODY, NOW + timedelta(minutes=6))
    with pytest.raises(StaleWebhook):
        verify(SECRET, BODY, ahead, now=NOW)


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET, b"1772452800." + BODY, hashlib.sha256).hexdigest()
    assert signature(SECRET, 1772452800, BODY) == f"sha256={expected}"


def test_a_body_that_is_not_a_carrier_webhook_is_malformed_and_the_error_quotes_nothing() -> None:
    assert parse(BODY).updates[0].status == "in_transit"
    for bad in (
        b"not json",
        b'{"carrier":"x","updates":[]}',
        b'{"carrier":"x","updates":[{"update_id":"u1","tracking_number":"T",'
        b'"status":"teleported","occurred_at":"2026-03-02T11:00:00Z"}]}',
        b'{"carrier":"x","updates":[{"update_id":"u1","tracking_number":"T",'
        b'"status":"delivered","occurred_at":"2026-03-02T11:00:00"}]}',  # no time zone
    ):
        with pytest.raises(MalformedWebhook) as refused:
            parse(bad)
        assert "teleported" not in refused.value.detail
