"""Workbench sessions: sealed cookies open only with their secret, unchanged and unexpired;
the secret comes from the settings or a file in data_dir; CSRF tokens must match."""

from __future__ import annotations

import base64
import time
from pathlib import Path

import pytest

from dragoman.errors import ForbiddenError
from dragoman.settings import Settings
from dragoman.surfaces.workbench.session import (
    SECRET_FILE,
    Session,
    SessionSealer,
    check_csrf,
    load_secret,
)


def test_a_sealed_session_opens_with_its_secret_only() -> None:
    sealer = SessionSealer(b"s" * 32)
    session = Session.new("dtr_secret-key")
    value = sealer.seal(session)
    assert "dtr_" not in value and "secret-key" not in value
    assert base64.urlsafe_b64encode(b"dtr_secret-key").decode()[:12] not in value
    assert sealer.open(value) == session
    assert sealer.seal(session) != value  # a fresh nonce each time
    assert SessionSealer(b"t" * 32).open(value) is None


@pytest.mark.parametrize("at", [0, 5, 20, 40, -10])
def test_any_changed_character_or_garbage_is_no_session(at: int) -> None:
    sealer = SessionSealer(b"s" * 32)
    value = sealer.seal(Session.new("dgt_k"))
    i = at % len(value)
    assert sealer.open(value[:i] + ("A" if value[i] != "A" else "B") + value[i + 1 :]) is None
    for junk in ("", "x", "!!!!", "A" * 5000, value[:30], value + "AAAA"):
        assert sealer.open(junk) is None


def test_an_expired_session_is_no_session() -> None:
    sealer = SessionSealer(b"s" * 32, max_age=60)
    old = Session("dgt_k", "token", time.time() - 61)
    assert sealer.open(sealer.seal(old)) is None
    future = Session("dgt_k", "token", time.time() + 3600)
    assert sealer.open(sealer.seal(future)) is None


def test_the_secret_comes_from_settings_or_one_file_in_data_dir(tmp_path: Path) -> None:
    configured = Settings(data_dir=tmp_path, workbench_secret="from-settings")
    assert load_secret(configured) == b"from-settings"
    assert not (tmp_path / SECRET_FILE).exists()
    settings = Settings(data_dir=tmp_path / "data")
    first = load_secret(settings)
    assert len(first) >= 32 and load_secret(settings) == first  # every process reads it
    assert (tmp_path / "data" / SECRET_FILE).stat().st_mode & 0o777 == 0o600


def test_csrf_must_match_the_session() -> None:
    session = Session.new()
    check_csrf(session, session.csrf)
    for sent in (None, "", "nope", session.csrf + "x", "ü" * 10):
        with pytest.raises(ForbiddenError):
            check_csrf(session, sent)
    with pytest.raises(ForbiddenError):
        check_csrf(None, session.csrf)
