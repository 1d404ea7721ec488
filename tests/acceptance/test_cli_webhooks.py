"""`dragoman webhook-secret` and `dragoman callback-url` as an operator runs them."""

from __future__ import annotations

import base64
from pathlib import Path

from tests.acceptance.serverproc import cli, server_env


def test_webhook_secret_is_stable_until_rotated(tmp_path: Path) -> None:
    env = server_env(tmp_path / "data")
    first = cli(env, "webhook-secret", "--org", "acme")
    assert first.returncode == 0, first.stderr
    secret = first.stdout.strip().splitlines()[-1]
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) >= 24
    again = cli(env, "webhook-secret", "--org", "acme").stdout.strip().splitlines()[-1]
    assert again == secret
    rotated = cli(env, "webhook-secret", "--org", "acme", "--rotate")
    assert rotated.returncode == 0, rotated.stderr
    new = rotated.stdout.strip().splitlines()[-1]
    assert new.startswith("whsec_") and new != secret
    assert cli(env, "webhook-secret", "--org", "acme").stdout.strip().splitlines()[-1] == new
    other = cli(env, "webhook-secret", "--org", "globex").stdout.strip().splitlines()[-1]
    assert other not in (secret, new)


def test_callback_url_is_validated_and_cleared(tmp_path: Path) -> None:
    env = server_env(tmp_path / "data")
    bad = cli(env, "callback-url", "--org", "acme", "http://example.com/hook")
    assert bad.returncode != 0 and "https" in (bad.stderr + bad.stdout).lower()
    good = cli(env, "callback-url", "--org", "acme", "https://1.1.1.1/hook")
    assert good.returncode == 0, good.stderr
    assert "https://1.1.1.1/hook" in good.stdout
    cleared = cli(env, "callback-url", "--org", "acme", "--clear")
    assert cleared.returncode == 0, cleared.stderr
