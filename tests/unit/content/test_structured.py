"""Nested JSON: leaves, replacement, shape checks and hints."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dragoman.content.formats.structured import (
    check_shape,
    hints_for,
    iter_strings,
    replace_strings,
)
from dragoman.content.units import translate_strings
from dragoman.errors import PayloadTooLargeError, ValidationError

_strings = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["Hello {name}", "%d items", "<b>x</b> &amp; %(n)s", "50% off", " Save "]),
)
_leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), _strings)
_json = st.recursive(
    _leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)
_objects = st.dictionaries(st.text(max_size=8), _json, max_size=6)


def _shape(data: Any) -> Any:
    """The structure with every string replaced by a marker, to compare everything else."""
    if isinstance(data, dict):
        return {k: _shape(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_shape(v) for v in data]
    return "<str>" if isinstance(data, str) else data


@given(_objects)
def test_replace_keeps_shape_keys_order_and_values(data: dict[str, Any]) -> None:
    before = json.dumps(data)
    leaves = list(iter_strings(data))
    out = replace_strings(data, {path: s[::-1] + "!" for path, s in leaves})
    assert json.dumps(data) == before  # the input was not mutated
    assert json.dumps(_shape(out)) == json.dumps(_shape(data))  # keys, order, lengths, values
    assert [s for _, s in iter_strings(out)] == [s[::-1] + "!" for _, s in leaves]
    assert json.dumps(replace_strings(data, {})) == before


@settings(max_examples=50)
@given(_objects)
def test_identity_translation_is_identity_on_every_leaf(data: dict[str, Any]) -> None:
    leaves = list(iter_strings(data))
    result = translate_strings(
        [s for _, s in leaves],
        lambda segs: [s.text for s in segs],
        source_locale="en",
        target_locale="ja",
    )
    assert result.texts == [s for _, s in leaves]
    out = replace_strings(data, {p: t for (p, _), t in zip(leaves, result.texts, strict=True)})
    assert json.dumps(out) == json.dumps(data)


def test_iter_strings_document_order_and_paths() -> None:
    data = {"b": "1", "a": [{"x": "2", "n": 3}, "3", None], "c": {"d": {"e": "4"}}, "t": True}
    assert list(iter_strings(data)) == [
        (("b",), "1"),
        (("a", 0, "x"), "2"),
        (("a", 1), "3"),
        (("c", "d", "e"), "4"),
    ]


def test_check_shape_counts_strings() -> None:
    assert check_shape({"a": "x", "b": ["y", 1, {"c": "z"}]}, max_depth=3, max_strings=3) == 3


@pytest.mark.parametrize("data", [[], "text", 1, None])
def test_check_shape_requires_an_object(data: Any) -> None:
    with pytest.raises(ValidationError, match="JSON object") as info:
        check_shape(data, max_depth=5, max_strings=5)
    assert info.value.field == "data"


def test_check_shape_rejects_a_10000_deep_structure() -> None:
    root: dict[str, Any] = {}
    node = root
    for _ in range(10_000):  # built iteratively; json.loads would build the same
        child: dict[str, Any] = {}
        node["a"] = [child]
        node = child
    with pytest.raises(ValidationError, match="limit of 32 levels") as info:
        check_shape(root, max_depth=32, max_strings=100)
    assert info.value.field is not None
    assert info.value.field.startswith("data.a[0].a[0]")


def test_check_shape_names_the_too_deep_path() -> None:
    with pytest.raises(ValidationError) as info:
        check_shape({"a": {"b": [1, 2, 3, {"c": "x"}]}}, max_depth=3, max_strings=10)
    assert info.value.field == "data.a.b[3]"
    assert "limit of 3" in info.value.message


def test_check_shape_rejects_too_many_strings() -> None:
    with pytest.raises(PayloadTooLargeError, match="limit of 2 strings"):
        check_shape({"a": "x", "b": ["y", "z"]}, max_depth=5, max_strings=2)


def test_hints_most_specific_wins() -> None:
    hints = {
        "title": ["page", "title"],
        "steps": ["tutorial"],
        "steps.heading": ["tutorial", "step heading"],
        "steps.0.heading": ["tutorial", "first step"],
    }
    assert hints_for(("title",), hints) == ("page", "title")
    assert hints_for(("steps", 0, "heading"), hints) == ("tutorial", "first step")
    assert hints_for(("steps", 2, "heading"), hints) == ("tutorial", "step heading")
    assert hints_for(("steps", 2, "body"), hints) == ("tutorial",)
    assert hints_for(("other",), hints) == ()
    assert hints_for(("title",), None) == ()
