"""Signing Gengo requests by hand (to test what the official client never sends: bad
signatures, stale timestamps, replays) and the set-up Gengo tests share."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from dragoman.core import credits, gengo_keys, translators
from dragoman.core.orgs import get_or_create_org
from dragoman.services import Services


@dataclass
class Signer:
    """Signs as the official client does: `api_sig` = hex HMAC-SHA1 of `ts`."""

    client: httpx.Client
    public: str
    private: str

    def auth(self, ts: int | None = None, sig: str | None = None) -> dict[str, str]:
        stamp = str(int(time.time()) if ts is None else ts)
        digest = hmac.new(self.private.encode(), stamp.encode(), hashlib.sha1).hexdigest()
        return {"api_key": self.public, "ts": stamp, "api_sig": sig or digest}

    def get(self, path: str, *, auth: dict[str, str] | None = None, **params: Any) -> Any:
        """GET with values percent-encoded twice, as the client sends them."""
        query = {k: quote(str(v).encode()) for k, v in params.items()}
        answer = self.client.get("/v2" + path, params={**query, **(auth or self.auth())})
        return answer.json()

    def send(
        self, method: str, path: str, data: Any = None, *, auth: dict[str, str] | None = None
    ) -> Any:
        """POST/PUT with form fields; DELETE with the signature in the query string."""
        fields = dict(auth or self.auth())
        if method == "DELETE":
            return self.client.request(method, "/v2" + path, params=fields).json()
        if data is not None:
            fields["data"] = json.dumps(data, separators=(",", ":"))
        return self.client.request(method, "/v2" + path, data=fields).json()


def gengo_org(
    services: Services,
    org: str,
    *,
    balance: str = "100",
    pairs: str = "en-es",
    tier: str = "standard",
) -> tuple[str, str, str]:
    """Keys (public, private) of an organization with credits, and a translator's key."""
    with services.db.write() as conn:
        org_id = get_or_create_org(conn, org).id
        public, private = gengo_keys.create_keys(conn, org_id)
        if balance:
            credits.add_credits(conn, org_id, balance)
        tkey = translators.create_translator(conn, org_id, "T", pairs, tier)[1]
    return public, private, tkey


def text_job(body: str, **extra: Any) -> dict[str, Any]:
    """A text job payload en -> es, standard."""
    return {"type": "text", "slug": "test", "body_src": body, "lc_src": "en", "lc_tgt": "es",
            "tier": "standard", **extra}  # fmt: skip


def wait_for(check: Any, timeout: float = 30, what: str = "condition") -> Any:
    """Poll `check()` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met after {timeout}s")
        time.sleep(0.05)


def translate(client: httpx.Client, tkey: str, core_job: str, text: str) -> None:
    """As the translator: take (if available), fill every segment, deliver."""
    headers = {"X-API-Key": tkey}
    base = f"/translator/v1/jobs/{core_job}"
    detail = client.get(base, headers=headers)
    if detail.status_code == 404 or detail.json()["status"] == "available":
        taken = client.post(f"{base}/take", headers=headers)
        assert taken.status_code == 200, taken.text
        detail = client.get(base, headers=headers)
    for segment in detail.json()["segments"]:
        saved = client.put(f"{base}/segments/{segment['id']}", json={"target": text},
                           headers=headers)  # fmt: skip
        assert saved.status_code == 200, saved.text
    delivered = client.post(f"{base}/deliver", headers=headers)
    assert delivered.status_code == 200, delivered.text


def core_job(services: Services, number: int) -> str:
    """The core id of a Gengo job id."""
    from sqlalchemy import select

    from dragoman.store.gengo_tables import gengo_jobs

    with services.db.read() as conn:
        return str(
            conn.execute(
                select(gengo_jobs.c.job_id).where(gengo_jobs.c.number == number)
            ).scalar_one()
        )
