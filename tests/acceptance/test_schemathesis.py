"""schemathesis against the OpenAPI document of every surface on one running server (issue 9,
section 3): no server error, no response or status the document does not describe, no
schema-valid request refused and no schema-violating one accepted; seeded, bounded in time.

Every operation in /openapi.json is run (native, TranslatePlus, health), so a new surface is
covered as soon as its routes are in the document."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dragoman.core import gengo_keys, oauth, orgs, translators
from dragoman.settings import Settings
from tests.acceptance.schemathesis_hooks import GENGO_PLACEHOLDER, GENGO_PRIVATE_KEY_ENV
from tests.apptools import Api, running_api

SEED = 20261201
MAX_EXAMPLES = 60  # per operation, in the fuzzing phase (coverage and examples come on top)
BUDGET_SECONDS = 240
CHECKS = "all"
# Stateful checks need links between operations, which the document does not declare.
EXCLUDED = "use_after_free,ensure_resource_availability,object_level_authorization"
# Operations whose refusals the schema cannot fully state: a callback URL's host must be
# public (400, DNS included); and in the coverage and examples phases, which know neither the
# document's custom formats (`bcp47`, `dragoman-cursor`) nor the hooks that keep a target off
# its source and give an upload a readable file, a 422 as well.
CALLBACK_OPERATIONS = (
    "^(POST /jobs/localization|POST /jobs/localization/files|PUT /organization/settings"
    "|POST /v2/i18n/jobs|POST /v2/translate/i18n)$"
)
ACCEPTED = ["2xx", "400", "401", "403", "404", "409", "429"]
# Glossary routes: the pair in the path must be two known BCP-47 tags, a term's target is
# required unless it is do-not-translate, and an upload must be a readable CSV or TBX file;
# the document states these in words, so a 422 is accepted in every phase.
GLOSSARY_OPERATIONS = "^[A-Z]+ /glossaries/"
# Translation memory: likewise a pair must be two known tags, an upload a readable TMX, PO or
# XLIFF file (a PO with a pair), and `q` text without NUL: a 422 the document states in words.
TM_OPERATIONS = "^[A-Z]+ /tm/"
# Estimates: `auto` must find text to detect a language by, and a service level must hold
# printable text; the document says so in words (a 422).
ESTIMATE_OPERATIONS = "^POST /jobs/estimate(/files)?$"

# Gengo: `data` is JSON text (`contentMediaType: application/json`, its shape in words), which
# the generator draws as any JSON value, so an order, action, comment or quote it draws is
# mostly refused (422 in Gengo's envelope).
GENGO_DATA_OPERATIONS = (
    "^(POST /v2/translate/jobs|PUT /v2/translate/jobs|PUT /v2/translate/job/{id}"
    "|POST /v2/translate/job/{id}/comment|POST /v2/translate/order/{order_id}/comment"
    "|POST /v2/translate/service/quote)$"
)
# LanguageWire reads a document's type from the upload's file name, which the generator names
# after the form field (`file`): refused as an unsupported type (422).
LANGUAGEWIRE_UPLOAD = "^POST /v2/documents/translate$"
# Lingo24 writes: text must be printable (`str.isprintable`, which no pattern states), a
# callback URL's host public, a status move one the entity can make; and a file's content is
# there only once uploaded (400 in Lingo24's shape).
LINGO24_OPERATIONS = (
    "^((POST|PUT) /(project|file|job|docs/v1/).*|GET /(file|docs/v1/files)/{id}/content)$"
)
# Lingo.dev's /process/*: a language detected from the text (none in digits alone), and an
# estimate of `items` or of `data` with `targetLocales` (null counts as absent): 422.
PROCESS_OPERATIONS = "^POST /process/"
# OAuth2 token and authorize endpoints: a code, refresh token or client must be one the server
# issued (400 invalid_grant / invalid_request, as RFC 6749 says).
OAUTH_OPERATIONS = "^(GET|POST) /oauth2/"

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Credentials:
    """One organization's credentials for every surface's security scheme."""

    api_key: str  # native and TranslatePlus
    languagewire_token: str  # bearer from POST /oauth2/token
    lingo24_token: str  # bearer from POST /oauth2/access
    translator_key: str  # the translator REST API
    gengo_public: str  # Gengo's api_key; the hook signs with the private key
    gengo_private: str


def _credentials(api: Api) -> Credentials:
    """Create an organization with an API key, an OAuth2 client (a token from each token
    endpoint), a translator and a Gengo key pair, as the CLI commands do."""
    with api.services.db.write() as conn:
        org = orgs.get_or_create_org(conn, "schemathesis")
        key = orgs.create_key(conn, org.id)
        client_id, secret = oauth.create_client(conn, org.id, name="schemathesis")
        _, translator_key = translators.create_translator(conn, org.id, "Fuzz", "en-es,en-de")
        public, private = gengo_keys.create_keys(conn, org.id)
    grant = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    tokens = []
    for path in ("/oauth2/token", "/oauth2/access"):
        answer = api.client.post(path, data=grant)
        assert answer.status_code == 200, answer.text
        tokens.append(answer.json()["access_token"])
    return Credentials(key, tokens[0], tokens[1], translator_key, public, private)


def _config(creds: Credentials) -> str:
    """schemathesis.toml: credentials for every security scheme, and the exceptions. Gengo's
    ts and api_sig are placeholders the hook replaces with a fresh signature."""
    return f"""
[auth.openapi.apiKey]
api_key = "{creds.api_key}"
[auth.openapi.translateplusApiKey]
api_key = "{creds.api_key}"
[auth.openapi.languagewireBearer]
bearer = "{creds.languagewire_token}"
[auth.openapi.lingo24Bearer]
bearer = "{creds.lingo24_token}"
[auth.openapi.translatorKey]
api_key = "{creds.translator_key}"
[auth.openapi.gengoApiKey]
api_key = "{creds.gengo_public}"
[auth.openapi.gengoTimestamp]
api_key = "{GENGO_PLACEHOLDER}"
[auth.openapi.gengoSignature]
api_key = "{GENGO_PLACEHOLDER}"

[[operations]]
include-name-regex = "{CALLBACK_OPERATIONS}"
checks.positive_data_acceptance.expected-statuses = {json.dumps(ACCEPTED)}
phases.coverage.checks.positive_data_acceptance.expected-statuses = {json.dumps([*ACCEPTED, "422"])}
phases.examples.checks.positive_data_acceptance.expected-statuses = {json.dumps([*ACCEPTED, "422"])}

[[operations]]
include-name-regex = "{GLOSSARY_OPERATIONS}"
checks.positive_data_acceptance.expected-statuses = {json.dumps([*ACCEPTED, "422"])}

[[operations]]
include-name-regex = "{TM_OPERATIONS}"
checks.positive_data_acceptance.expected-statuses = {json.dumps([*ACCEPTED, "422"])}

[[operations]]
include-name-regex = "{ESTIMATE_OPERATIONS}"
checks.positive_data_acceptance.expected-statuses = {json.dumps([*ACCEPTED, "422"])}

[[operations]]
include-name-regex = "{GENGO_DATA_OPERATIONS}"
checks.positive_data_acceptance.expected-statuses = {json.dumps([*ACCEPTED, "402", "422"])}

[[operations]]
include-name-regex = "{LANGUAGEWIRE_UPLOAD}"
checks.positive_data_acceptance.expected-statuses = {json.dumps([*ACCEPTED, "422"])}

[[operations]]
include-name-regex = "{LINGO24_OPERATIONS}"
checks.positive_data_acceptance.expected-statuses = {json.dumps(ACCEPTED)}

[[operations]]
include-name-regex = "{PROCESS_OPERATIONS}"
checks.positive_data_acceptance.expected-statuses = {json.dumps([*ACCEPTED, "422"])}

[[operations]]
include-name-regex = "{OAUTH_OPERATIONS}"
checks.positive_data_acceptance.expected-statuses = {json.dumps(ACCEPTED)}
"""


def _cases_per_operation(ndjson: Path) -> Counter[str]:
    """Test cases each operation ran, from the run's event stream."""
    counts: Counter[str] = Counter()
    for line in ndjson.read_text().splitlines():
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if finished:
            recorder = finished["recorder"]
            counts[recorder["label"]] += len(recorder.get("cases", {}))
    return counts


def _without_inputs(document: dict[str, Any]) -> set[str]:
    """Operations with nothing to generate (no parameter, body or credentials): /healthz."""
    return {
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if not operation.get("parameters")
        and "requestBody" not in operation
        and not operation.get("security")
    }


@dataclass
class Run:
    """One `st run`: its exit status, output, JSON report and cases per operation."""

    returncode: int
    output: str
    report: dict[str, Any]
    cases: Counter[str]


def _st_run(base_url: str, config: Path, creds: Credentials, reports: Path, *only: str) -> Run:
    """`st run` against the document at `base_url`, in a process of its own (the second core
    is the server's), limited to the operations named `only` if any."""
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(config),
        "run", f"{base_url}/openapi.json",
        "--checks", CHECKS, "--exclude-checks", EXCLUDED,
        "--phases", "examples,coverage,fuzzing",
        "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED),
        # One worker: two threads hit CPython 3.11's "AST constructor recursion depth mismatch"
        # in hypothesis's ast.parse of filter lambdas (a SystemError, seen once in CI).
        "--workers", "1", "--no-shrink", "--no-color", "--generation-database", "none",
        # NUL is refused anywhere in text (422), which the document says in words only.
        "--generation-allow-x00", "false",
        "--report", "json,ndjson", "--report-dir", str(reports),
    ]  # fmt: skip
    if only:
        command += ["--include-name-regex", "^(" + "|".join(map(re.escape, only)) + ")$"]
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.acceptance.schemathesis_hooks",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        GENGO_PRIVATE_KEY_ENV: creds.gengo_private,
    }
    run = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=BUDGET_SECONDS, check=False
    )
    return Run(
        run.returncode,
        run.stdout + run.stderr,
        json.loads(next(reports.glob("json-*.json")).read_text()),
        _cases_per_operation(next(reports.glob("ndjson-*.ndjson"))),
    )


def test_openapi_document_describes_the_server(
    tmp_path: Path, sqlite_url: str, settings_factory: Callable[..., Settings]
) -> None:
    started = time.monotonic()
    with running_api(settings_factory(sqlite_url)) as api:
        creds = _credentials(api)
        config = tmp_path / "schemathesis.toml"
        config.write_text(_config(creds))
        base_url = str(api.client.base_url)
        no_inputs = _without_inputs(api.client.get("/openapi.json").json())
        runs = [_st_run(base_url, config, creds, tmp_path / "all")]
        # Where the generator drew from the few ids that earlier responses held (ids a DELETE
        # may have removed), it can stop short of the count: such operations run again alone,
        # where ids are generated.
        short = [
            label
            for label, count in runs[0].cases.items()
            if count < MAX_EXAMPLES and label not in no_inputs
        ]
        if short:
            runs.append(_st_run(base_url, config, creds, tmp_path / "short", *short))
    elapsed = time.monotonic() - started
    cases = sum((run.cases for run in runs), Counter[str]())
    first = runs[0].report
    print(
        f"\nschemathesis {first['schemathesis_version']}, seed {SEED}: "
        f"{first['operations']['tested']} operations, "
        f"{sum(run.report['test_cases']['generated'] for run in runs)} cases in {elapsed:.0f} s "
        f"({len(runs)} runs; again alone: {', '.join(short) or 'none'}); failures "
        f"{sum(len(run.report['failures']) for run in runs)}, "
        f"errors {sum(len(run.report['errors']) for run in runs)}"
    )
    for label, count in sorted(cases.items()):
        print(f"  {count:5d}  {label}")
    for run in runs:
        assert run.returncode == 0, run.output[-12000:]
        assert run.report["failures"] == [] and run.report["errors"] == []
    assert first["operations"]["tested"] == first["operations"]["total"] > 20
    assert len(cases) == first["operations"]["total"]  # every operation ran cases
    thin = {label: n for label, n in cases.items() if n < MAX_EXAMPLES}
    # Only operations with nothing to vary run fewer (each distinct case once).
    assert set(thin) <= no_inputs, thin
