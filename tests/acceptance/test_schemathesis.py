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

from dragoman.settings import Settings
from tests.apptools import running_api

SEED = 20261201
MAX_EXAMPLES = 200  # per operation, in the fuzzing phase (coverage and examples come on top)
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
# Estimates: `auto` must find text to detect a language by, and a service level must hold
# printable text; the document says so in words (a 422).
ESTIMATE_OPERATIONS = "^POST /jobs/estimate(/files)?$"

pytestmark = pytest.mark.slow


def _config(key: str) -> str:
    """schemathesis.toml: the key for both surfaces' security schemes, and the exceptions."""
    return f"""
[auth.openapi.apiKey]
api_key = "{key}"
[auth.openapi.translateplusApiKey]
api_key = "{key}"

[[operations]]
include-name-regex = "{CALLBACK_OPERATIONS}"
checks.positive_data_acceptance.expected-statuses = {json.dumps(ACCEPTED)}
phases.coverage.checks.positive_data_acceptance.expected-statuses = {json.dumps([*ACCEPTED, "422"])}
phases.examples.checks.positive_data_acceptance.expected-statuses = {json.dumps([*ACCEPTED, "422"])}

[[operations]]
include-name-regex = "{GLOSSARY_OPERATIONS}"
checks.positive_data_acceptance.expected-statuses = {json.dumps([*ACCEPTED, "422"])}

[[operations]]
include-name-regex = "{ESTIMATE_OPERATIONS}"
checks.positive_data_acceptance.expected-statuses = {json.dumps([*ACCEPTED, "422"])}
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


def _st_run(base_url: str, config: Path, reports: Path, *only: str) -> Run:
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
        config = tmp_path / "schemathesis.toml"
        config.write_text(_config(api.new_key()))
        base_url = str(api.client.base_url)
        no_inputs = _without_inputs(api.client.get("/openapi.json").json())
        runs = [_st_run(base_url, config, tmp_path / "all")]
        # Where the generator drew from the few ids that earlier responses held (ids a DELETE
        # may have removed), it can stop short of the count: such operations run again alone,
        # where ids are generated.
        short = [
            label
            for label, count in runs[0].cases.items()
            if count < MAX_EXAMPLES and label not in no_inputs
        ]
        if short:
            runs.append(_st_run(base_url, config, tmp_path / "short", *short))
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
