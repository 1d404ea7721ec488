"""`dragoman submit` follows its group over /ws, and falls back to polling without it."""

from __future__ import annotations

from collections.abc import Callable

from dragoman.cli import client_commands
from dragoman.client import Client
from dragoman.settings import Settings
from tests.apptools import running_api


def test_follow_group_over_websocket_and_by_polling(
    sqlite_url: str, settings_factory: Callable[..., Settings]
) -> None:
    with running_api(settings_factory(sqlite_url)) as api:
        key = api.new_key()
        base = str(api.client.base_url)
        with Client(base, key) as client:
            created = client.submit({"t": "Hello"}, source="en", targets=["de", "fr"])
            group = client_commands.follow_group(client, created["groupId"], timeout=30)
            assert group["status"] == "completed"
        with Client(base, key) as client:
            client.base_url = "http://127.0.0.1:9"  # /ws unreachable: polling takes over
            created = client.submit({"t": "Bye"}, source="en", targets=["de"])
            group = client_commands.follow_group(client, created["groupId"], timeout=30)
            assert group["status"] == "completed"
