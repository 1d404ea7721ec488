"""Standard Webhooks signatures: the spec's test vector, the reference verifier, rotation."""

from __future__ import annotations

import time

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from dragoman.delivery.webhooks import signing
from dragoman.delivery.webhooks.schedule import next_attempt_at, parse_retry_after
from dragoman.timefmt import utcnow


def test_spec_test_vector() -> None:
    got = signing.sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                       1614265330, b'{"test": 2432232314}')  # fmt: skip
    assert got == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_reference_library_verifies_and_rejects_tampering() -> None:
    secret = signing.new_secret()
    body = b'{"type":"job.completed","data":{"id":"ljb_x"}}'
    headers = signing.headers([secret], "evt_abc", int(time.time()), body)
    assert Webhook(secret).verify(body, headers)["data"]["id"] == "ljb_x"
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body + b" ", headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(body, headers)


def test_rotation_overlap_signs_with_both_secrets() -> None:
    old, new = signing.new_secret(), signing.new_secret()
    body = b"{}"
    headers = signing.headers([new, old], "evt_rot", int(time.time()), body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(body, headers)
    Webhook(new).verify(body, headers)


def test_schedule_counts_from_the_first_attempt_and_honours_retry_after() -> None:
    first = utcnow()
    schedule = (5.0, 300.0)
    assert (next_attempt_at(first, 1, schedule, first) - first).total_seconds() == 5
    later = first.replace(microsecond=0)
    assert next_attempt_at(first, 2, schedule, later) is not None
    assert next_attempt_at(first, 3, schedule, later) is None  # 1 + len(schedule) attempts
    pushed = next_attempt_at(first, 1, schedule, first, retry_after=60)
    assert pushed is not None and (pushed - first).total_seconds() == 60
    assert parse_retry_after("120", first) == 120
    assert parse_retry_after("soon", first) is None
