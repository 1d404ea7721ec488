"""text_checks: lone surrogates and NULs are refused with the field named, other text passes."""

from __future__ import annotations

import json
import time

import pytest

from dragoman.core import text_checks
from dragoman.errors import NotFoundError, ValidationError


@pytest.mark.parametrize("text", ["", "plain", "Grüße, 世界 🌍", "tab\tnew\nline", "\u2028"])
def test_storable_text_passes_unchanged(text: str) -> None:
    assert text_checks.check_text(text, "f") is text
    text_checks.check_tree({"k": [text, {text: text}]}, "data")


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("a\ud800b", "lone surrogate (\\ud800)"),
        ("\udfff", "lone surrogate (\\udfff)"),
        ("a\x00", "NUL"),
        ("é\x00", "NUL"),
    ],
)
def test_bad_text_is_refused_naming_the_field(text: str, what: str) -> None:
    with pytest.raises(ValidationError) as caught:
        text_checks.check_text(text, "idempotencyKey")
    assert caught.value.field == "idempotencyKey"
    assert what in caught.value.message
    # The message never carries the bad character itself: it must encode as UTF-8 JSON.
    json.dumps(caught.value.message, ensure_ascii=False).encode("utf-8")


def test_nul_may_be_allowed_where_a_caller_escapes_it() -> None:
    assert text_checks.check_text("a\x00b", "f", allow_nul=True) == "a\x00b"
    with pytest.raises(ValidationError):
        text_checks.check_text("a\x00\ud800", "f", allow_nul=True)


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ({"a": [1, {"b": "x\ud801"}]}, "data.a[1].b"),
        ({"menu": {"k\x00": "v"}}, "data.menu"),
        ([["ok", "bad\x00"]], "data[0][1]"),
    ],
)
def test_tree_errors_name_the_path(value: object, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        text_checks.check_tree(value, "data")
    assert caught.value.field == field


def test_tree_check_is_iterative_and_linear() -> None:
    deep: object = "x\x00"
    for _ in range(100_000):
        deep = [deep]
    started = time.perf_counter()
    with pytest.raises(ValidationError) as caught:
        text_checks.check_tree(deep, "data")
    assert caught.value.field == "data" + "[0]" * 100_000
    # Deep and wide at once: the cost per node must not grow with its depth.
    wide: object = ["ok"] * 200_000
    for _ in range(1000):
        wide = [wide]
    text_checks.check_tree(wide, "data")
    assert time.perf_counter() - started < 5


def test_fields_of_the_wrong_type_are_left_to_the_model() -> None:
    raw = {"name": 5, "options": None, "targets": "de"}
    assert (
        text_checks.check_fields(raw, texts=("name",), lists=("targets",), trees=("options",))
        is raw
    )


@pytest.mark.parametrize("bad", ["ljb_\x00", "ljb_\ud800", "", "ljb_", "eng_x", "ljb_" + "a" * 65])
def test_malformed_ids_are_not_found(bad: str) -> None:
    with pytest.raises(NotFoundError) as caught:
        text_checks.check_id(bad, "ljb", "job", field="jobId")
    assert caught.value.field == "jobId"
    json.dumps(caught.value.message, ensure_ascii=False).encode("utf-8")
    assert text_checks.check_id("ljb_A1b2", "ljb", "job") == "ljb_A1b2"
