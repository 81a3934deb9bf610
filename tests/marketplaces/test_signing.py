"""The HMAC signature of webhook requests, and which secrets a channel accepts while one is rotated."""
from datetime import UTC, datetime, timedelta

import pytest

from portal.marketplaces import secrets as channel_secrets
from portal.marketplaces import signing
from portal.models import Channel

SECRET = "whsec_test"
TS = 1764583200
BODY = b'{"event_id":"evt-1"}'
# HMAC-SHA256("whsec_test", "1764583200." + BODY), computed independently (Python's hmac, and openssl dgst -hmac).
VECTOR = "sha256=b29725ee58c1b85f3f1ebe0044f8df1a3819e006de1d8d56989828ee92059156"


def test_the_signature_matches_the_known_vector():
    assert signing.signature(SECRET, TS, BODY) == VECTOR
    assert signing.signature(SECRET, str(TS), BODY) == VECTOR
    assert signing.signed_headers(SECRET, BODY, now=TS + 0.9) == {
        "X-Portal-Timestamp": str(TS), "X-Portal-Signature": VECTOR}


def test_verify_accepts_the_vector_within_the_tolerance_either_way():
    for now in (TS, TS - 300, TS + 300):
        assert signing.verify([SECRET], str(TS), VECTOR, BODY, now=now)
    for now in (TS - 301, TS + 301):
        assert not signing.verify([SECRET], str(TS), VECTOR, BODY, now=now)


@pytest.mark.parametrize("body", [
    b'{"event_id":"evt-2"}', b'{"event_id":"evt-1"} ', b'{"event_id": "evt-1"}', b"", BODY + b"\n",
])
def test_a_tampered_body_fails(body):
    assert not signing.verify([SECRET], str(TS), VECTOR, body, now=TS)


@pytest.mark.parametrize("timestamp", [str(TS + 1), "", " ", "-1764583200", "1764583200.0", "1e9", "٣", "²",
                                       "１７６４５８３２００", None])
def test_another_or_a_malformed_timestamp_fails(timestamp):
    assert not signing.verify([SECRET], timestamp, VECTOR, BODY, now=TS)


@pytest.mark.parametrize("header", [
    None, "", VECTOR.upper(), VECTOR[len("sha256="):], "sha1=" + VECTOR[len("sha256="):], VECTOR[:-1],
    "sha256=" + "0" * 64, "sha256=é", "sha256=" + "é" * 64, "sha256=" + "０" * 64,
])
def test_a_missing_or_wrong_signature_header_fails(header):
    assert not signing.verify([SECRET], str(TS), header, BODY, now=TS)


def test_one_good_signature_among_several_is_enough():
    other = signing.signature("whsec_other", TS, BODY)
    assert signing.verify([SECRET], str(TS), f"{other},{VECTOR}", BODY, now=TS)
    assert signing.verify([SECRET], str(TS), f"{VECTOR}, {other}", BODY, now=TS)
    assert signing.verify(["whsec_other", SECRET], str(TS), VECTOR, BODY, now=TS)
    assert not signing.verify([SECRET], str(TS), f"{other},{other}", BODY, now=TS)


def test_only_the_first_five_signatures_are_looked_at():
    wrong = ",".join([signing.signature(f"whsec_{n}", TS, BODY) for n in range(5)])
    assert not signing.verify([SECRET], str(TS), f"{wrong},{VECTOR}", BODY, now=TS)


def test_no_accepted_secret_accepts_nothing():
    assert not signing.verify([], str(TS), VECTOR, BODY, now=TS)
    assert not signing.verify([""], str(TS), signing.signature("", TS, BODY), BODY, now=TS)


def test_new_secrets_are_random_and_recognisable():
    first, second = signing.new_secret(), signing.new_secret()
    assert first != second and first.startswith("whsec_") and len(first) >= 40


def test_rotation_keeps_the_previous_secret_for_the_overlap_only():
    moment = datetime(2026, 12, 1, 10, tzinfo=UTC)
    channel = Channel(code="amazon", name="Amazon", is_marketplace=True, integrated=True, webhook_secret="whsec_old")
    new = channel_secrets.rotate_secret(channel, overlap_hours=24, now=moment)

    assert channel_secrets.accepted_secrets(channel, now=moment) == [new, "whsec_old"]
    assert channel_secrets.accepted_secrets(channel, now=moment + timedelta(hours=23, minutes=59)) == [new, "whsec_old"]
    assert channel_secrets.accepted_secrets(channel, now=moment + timedelta(hours=24)) == [new]


def test_rotation_without_overlap_drops_the_old_secret_at_once():
    channel = Channel(code="amazon", name="Amazon", is_marketplace=True, integrated=True, webhook_secret="whsec_old")
    new = channel_secrets.rotate_secret(channel, overlap_hours=0)
    assert channel_secrets.accepted_secrets(channel) == [new]
