"""TranslatePlus request parsing, job objects and error vocabulary, without a server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dragoman.core.queries import GroupView, JobView
from dragoman.core.status import JobStatus
from dragoman.errors import ValidationError
from dragoman.surfaces.base import Multipart, UploadedFile
from dragoman.surfaces.translateplus.errors import surface_message
from dragoman.surfaces.translateplus.schemas import (
    iso,
    parse_languages,
    render_job,
    submit_request,
)

T0 = datetime(2025, 1, 15, 10, 30, tzinfo=UTC)


def form(**fields: str) -> Multipart:
    return Multipart(
        fields, {"file": UploadedFile("en.yml", "application/yaml", b"en:\n  a: Hi\n")}
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("fr,es", ["fr", "es"]),
        (" fr , es ,", ["fr", "es"]),
        ("fr es", ["fr", "es"]),
        ('["fr", " pt-BR "]', ["fr", "pt-BR"]),
        ("", []),
    ],
)
def test_target_languages_forms(value: str, expected: list[str]) -> None:
    assert parse_languages(value) == expected


@pytest.mark.parametrize("value", ["[fr", '["fr", 3]', '[{"a": 1}]', '["fr"'])
def test_bad_json_target_languages(value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_languages(value)
    assert caught.value.field == "target_languages"


def test_submit_request_defaults_and_fields() -> None:
    request = submit_request(form(target_languages="fr,es"))
    assert (request.source_locale, list(request.target_locales)) == ("auto", ["fr", "es"])
    assert (request.filename, request.surface, request.callback_url) == (
        "en.yml",
        "translateplus",
        None,
    )
    assert request.format is None
    full = submit_request(
        form(target_languages="fr", source_language=" en ", webhook_url="https://h.example/x")
    )
    assert (full.source_locale, full.callback_url) == ("en", "https://h.example/x")


def test_file_type_only_overrides_when_the_name_does_not_already_say_it() -> None:
    assert submit_request(form(target_languages="fr", file_type="yaml")).format is None
    odd = Multipart(
        {"target_languages": "fr", "file_type": "PO"},
        {"file": UploadedFile("messages.txt", "text/plain", b'msgid "a"\nmsgstr ""\n')},
    )
    assert submit_request(odd).format == "po"
    with pytest.raises(ValidationError, match="file_type must be one of"):
        submit_request(form(target_languages="fr", file_type="docx"))


def test_missing_file_or_targets_name_the_field() -> None:
    with pytest.raises(ValidationError) as no_file:
        submit_request(Multipart({"target_languages": "fr"}, {}))
    assert no_file.value.field == "file"
    with pytest.raises(ValidationError) as no_targets:
        submit_request(form())
    assert no_targets.value.field == "target_languages"


def job(lang: str, status: JobStatus, done: int, **extra: object) -> JobView:
    values: dict[str, object] = {"units_total": 10, "units_done": done}
    values.update(extra)
    return JobView(f"ljb_{lang}", "g1", "o", "e", lang, status, T0, **values)  # type: ignore[arg-type]


def group(*jobs: JobView) -> GroupView:
    return GroupView("g1", "o", "e", "en", T0, list(jobs), kind="resource", format="po",
                     filename="django.po", surface="translateplus", units_total=10)  # fmt: skip


def url(job_id: str, lang: str) -> str:
    return f"http://h/{job_id}/{lang}"


def test_a_running_job_counts_keys_every_language_has() -> None:
    view = render_job(
        group(
            job("fr", JobStatus.TRANSLATING, 4, started_at=T0),
            job("es", JobStatus.QUEUED, 0),
        ),
        url,
    )
    assert view["status"] == "processing" and view["file_type"] == "po"
    assert (view["total_keys"], view["translated_keys"], view["failed_keys"]) == (10, 0, 0)
    assert view["completed_at"] is None and view["translated_files"] == []
    assert view["original_filename"] == "django.po" and view["target_languages"] == ["fr", "es"]


def test_a_partial_job_reports_its_failed_language_and_completed_files() -> None:
    later = T0 + timedelta(seconds=75)
    view = render_job(
        group(
            job("fr", JobStatus.COMPLETED, 10, completed_at=later, output_size=321),
            job("es", JobStatus.FAILED, 3, completed_at=T0, error_message="engine down"),
        ),
        url,
    )
    assert view["status"] == "partial"
    assert (view["translated_keys"], view["failed_keys"]) == (10, 7)
    assert view["error_message"] == "es: engine down"
    assert view["translated_files"] == [
        {"language_code": "fr", "file_url": "http://h/g1/fr", "file_size": 321}
    ]
    assert (view["created_at"], view["updated_at"], view["completed_at"]) == (
        "2025-01-15T10:30:00Z",
        "2025-01-15T10:31:15Z",
        "2025-01-15T10:31:15Z",
    )


def test_iso_treats_naive_times_as_utc() -> None:
    assert iso(datetime(2025, 1, 15, 10, 30, 5, 999_000)) == "2025-01-15T10:30:05Z"
    assert iso(None) is None


def test_core_field_names_become_translateplus_names() -> None:
    assert surface_message("target_locales[1]: 'x' is not valid") == (
        "target_languages[1]: 'x' is not valid"
    )
    assert surface_message("callbackUrl must be https") == "webhook_url must be https"
    assert surface_message("cannot tell the format of 'a.bin'") == (
        "cannot tell the format of 'a.bin'"
    )
