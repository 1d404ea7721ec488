"""JsonCodec: nested and flat JSON spliced in the file's own style; limits and bad input."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dragoman.content.formats import registry
from dragoman.content.formats.jsonfile import I18nextCodec, JsonCodec
from dragoman.content.model import Extraction, Limits, Unit
from dragoman.errors import FileFormatError, PayloadTooLargeError

FIXTURES = Path(__file__).parents[2] / "fixtures" / "formats" / "json"
CODEC = JsonCodec()


def _parse(data: bytes, limits: Limits | None = None) -> Extraction:
    return CODEC.parse(data, source_locale="en", limits=limits or Limits())


def _render(extraction: Extraction, targets: dict[str, str], locale: str = "de") -> bytes:
    units = [
        Unit(u.id, u.source, context=u.context, target=targets.get(u.id)) for u in extraction.units
    ]
    return CODEC.render(extraction.skeleton, units, target_locale=locale)


def test_units_are_string_values_with_key_path_ids_in_file_order() -> None:
    units = _parse((FIXTURES / "common.json").read_bytes()).units
    ids = [u.id for u in units]
    assert ids[:3] == ["app.name", "app.tagline", "nav.home"]
    assert "home.steps[2].title" in ids and "errors.404" in ids
    assert "app.version" not in ids and "home.retries[0]" not in ids  # numbers are not units
    by_id = {u.id: u for u in units}
    assert by_id["home.quote"].source == 'She said "hello" and left.'
    assert by_id["home.path"].source == "Saved to C:\\Users\\{{user}}\\Documents"
    assert by_id["home.cafe"].source == "Meet at the café on Friday"
    assert by_id["app.tagline"].source == "Get things done — together."
    assert by_id["errors.network.offline"].context == ("errors", "network", "offline")


def test_a_changed_value_is_written_raw_in_a_utf8_file_and_the_rest_keeps_its_escapes() -> None:
    data = (FIXTURES / "common.json").read_bytes()
    out = _render(_parse(data), {"nav.home": 'Début "ici"\n', "home.empty": "Vide"})
    assert b'"home": "D\xc3\xa9but \\"ici\\"\\n",' in out
    assert b'"cafe": "Meet at the caf\\u00e9 on Friday"' in out  # untouched escape stays
    assert (
        out.replace(b'D\xc3\xa9but \\"ici\\"\\n', b"Home").replace(
            b'"Vide"', b'"' + (b"Nothing here yet.\\nCreate your first list to get started.") + b'"'
        )
        == data
    )


def test_a_file_that_escapes_non_ascii_gets_escaped_values() -> None:
    data = (FIXTURES / "python_dump.json").read_bytes()
    out = _render(_parse(data), {"greeting": "Grüß dich, %(name)s — 日本"})
    assert b'"greeting": "Gr\\u00fc\\u00df dich, %(name)s \\u2014 \\u65e5\\u672c",' in out
    assert out.isascii()
    assert b'\t\t"open": "Open\\u2026",' in out


def test_escaped_slashes_and_upper_case_hex_follow_the_file() -> None:
    data = b'{"a": "x\\/y", "b": "\\u00C9t\\u00E9", "c": "z"}'
    out = _render(_parse(data), {"c": "</é>"})
    assert out == b'{"a": "x\\/y", "b": "\\u00C9t\\u00E9", "c": "<\\/\\u00E9>"}'
    go = b'{"a": "\\u003cb\\u003e", "c": "z"}'  # Go's encoding/json escapes HTML characters
    assert (
        _render(_parse(go), {"c": "<i>&"})
        == b'{"a": "\\u003cb\\u003e", "c": "\\u003ci\\u003e\\u0026"}'
    )


def test_crlf_bom_indentation_and_non_string_values_survive_a_full_translation() -> None:
    for path in sorted(FIXTURES.iterdir()):
        data = path.read_bytes()
        extraction = _parse(data)
        out = _render(extraction, {u.id: f"«{u.source}»" for u in extraction.units})
        before = json.loads(data.decode("utf-8-sig"))
        after = json.loads(out.decode("utf-8-sig"))
        assert _shape(after) == _shape(before), path.name
        assert out.startswith(b"\xef\xbb\xbf") == data.startswith(b"\xef\xbb\xbf")
        assert out.count(b"\r\n") == data.count(b"\r\n"), path.name
        again = _parse(out).units
        assert [u.source for u in again] == [f"«{u.source}»" for u in extraction.units]


def _shape(node: object) -> object:
    """The key tree with every string blanked: what a translation must not change."""
    if isinstance(node, dict):
        return [(k, _shape(v)) for k, v in node.items()]
    if isinstance(node, list):
        return [_shape(v) for v in node]
    return "" if isinstance(node, str) else node


def test_duplicate_keys_are_kept_and_get_distinct_ids() -> None:
    data = (FIXTURES / "report.json").read_bytes()
    extraction = _parse(data)
    assert [u.id for u in extraction.units][:2] == ["title", "title#2"]
    out = _render(extraction, {"title": "Bericht", "title#2": "Monatsbericht"})
    assert b'"title": "Bericht",\n  "title": "Monatsbericht",' in out
    assert b'"amount": "Amount (\xe2\x82\xac)"' in out


def test_a_top_level_array_is_read_and_written_in_place() -> None:
    data = (FIXTURES / "tour.json").read_bytes()
    extraction = _parse(data)
    assert [u.id for u in extraction.units][:2] == ["[0].id", "[0].text"]
    assert extraction.units[-1].source == "You're all set!"
    out = _render(extraction, {"[1].text": 'Klicke auf „Neu"'})
    assert b'"text":"Klicke auf \xe2\x80\x9eNeu\\"","order":2' in out


def test_plain_json_does_not_group_plural_suffixes() -> None:
    units = _parse(b'{"item_one": "{{count}} item", "item_other": "{{count}} items"}').units
    assert [(u.id, u.plural) for u in units] == [("item_one", None), ("item_other", None)]


def test_identity_with_targets_equal_to_sources_keeps_every_byte() -> None:
    data = (FIXTURES / "common.json").read_bytes()
    extraction = _parse(data)
    assert _render(extraction, {u.id: u.source for u in extraction.units}) == data


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (b'{\n  "a": "x"\n  "b": "y"\n}', 3, "expected ',' or '}'"),
        (b'{\n  "a": "x",\n}', 3, "expected a key"),
        (b"{\n  \"a\": 'x'\n}", 2, "expected a value"),
        (b'{"a": "x"} {"b": 1}', 1, "extra data"),
        (b'{\n  "a": "unterminated\n}', 2, "invalid JSON"),
        (b'{\n  "a": [1, 2\n', 3, "end of file"),
        (b'"just a string"', 1, "object or an array"),
        (b"   ", 1, "empty"),
        (b'{"a": tru}', 1, "expected a value"),
        (b'{"a": "x" // comment\n}', 1, "expected ',' or '}'"),
    ],
)
def test_invalid_json_names_the_problem_and_its_line(data: bytes, line: int, words: str) -> None:
    with pytest.raises(FileFormatError) as caught:
        _parse(data)
    assert caught.value.line == line
    assert words in caught.value.message


def test_bad_encodings_and_binary_junk_are_refused() -> None:
    with pytest.raises(FileFormatError, match="not valid UTF-8") as caught:
        _parse(b'{\n"a": "caf\xe9"}')
    assert caught.value.line == 2
    with pytest.raises(FileFormatError, match="NUL"):
        _parse(b'{"a": "x"}\x00\x00')
    with pytest.raises(FileFormatError):
        _parse(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def test_utf16_with_a_byte_order_mark_round_trips() -> None:
    data = '{\r\n  "a": "Grüße"\r\n}'.encode("utf-16")
    extraction = _parse(data)
    assert extraction.units[0].source == "Grüße"
    assert _render(extraction, {}) == data
    assert json.loads(_render(extraction, {"a": "Salut"}).decode("utf-16")) == {"a": "Salut"}


def test_limits_on_depth_strings_and_size_are_enforced_fast() -> None:
    deep = b"[" * 1_000_000 + b"]" * 1_000_000
    started = time.perf_counter()
    with pytest.raises(FileFormatError, match="deeper than the limit of 64") as caught:
        _parse(deep)
    assert caught.value.line == 1
    assert time.perf_counter() - started < 5  # a guard against quadratic work, not a benchmark
    nested = b'{"a": ' * 64 + b'"x"' + b"}" * 64
    assert _parse(nested).units[0].id == ".".join("a" * 64)
    with pytest.raises(FileFormatError, match="deeper"):
        _parse(b'{"a": ' * 65 + b'"x"' + b"}" * 65)
    many = json.dumps({f"k{i}": "v" for i in range(11)}).encode()
    with pytest.raises(PayloadTooLargeError, match="more than the limit of 10 strings"):
        _parse(many, Limits(max_units=10))
    with pytest.raises(PayloadTooLargeError, match="larger than the limit"):
        _parse(many, Limits(max_bytes=20))


def test_registry_sniffs_i18next_first_and_falls_back_to_json() -> None:
    i18n = b'{\n  "item_one": "one item",\n  "item_other": "{{count}} items"\n}'
    assert isinstance(registry.for_file("en.json", i18n), I18nextCodec)
    assert type(registry.for_file("en.json", b'{"title": "Hello"}')) is JsonCodec
    assert CODEC.file_type == "json"


def test_output_filename_swaps_the_locale() -> None:
    assert CODEC.output_filename("en.json", "en", "es") == "es.json"
    assert CODEC.output_filename("messages_en.json", "en", "pt-BR") == "messages_pt_BR.json"
    assert CODEC.output_filename("strings.json", "en", "fr") == "strings.fr.json"


_JSON_TREES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)


@given(
    tree=st.dictionaries(st.text(max_size=6), _JSON_TREES, max_size=5) | st.lists(_JSON_TREES),
    indent=st.sampled_from([None, 2, "\t"]),
    ascii_only=st.booleans(),
    target=st.text(max_size=8),
)
def test_any_document_renders_to_the_same_tree_with_its_strings_replaced(
    tree: object, indent: int | str | None, ascii_only: bool, target: str
) -> None:
    data = json.dumps(tree, indent=indent, ensure_ascii=ascii_only).encode()
    extraction = _parse(data)
    assert _render(extraction, {}) == data
    out = _render(extraction, {u.id: target + u.source for u in extraction.units})
    assert _shape(json.loads(out)) == _shape(tree)
    assert [u.source for u in _parse(out).units] == [target + u.source for u in extraction.units]


def test_millions_of_strings_are_refused_before_scanning() -> None:
    data = b"{" + b",".join(b'"k%d":"v"' % i for i in range(1_000_000)) + b"}"
    assert len(data) < Limits().max_bytes
    started = time.perf_counter()
    with pytest.raises(PayloadTooLargeError, match="limit of 200000 strings"):
        _parse(data)
    assert time.perf_counter() - started < 5  # a guard against quadratic work, not a benchmark
    # Escaped quotes and colons inside strings never make a file within the limit fail.
    tricky = json.dumps({f"k{i}": 'a \\" b: c' for i in range(10)}).encode()
    assert len(_parse(tricky, Limits(max_units=10)).units) == 10


def test_long_backslash_runs_cost_linear_time() -> None:
    # Valid JSON: 200,000 escaped backslashes, then one \u escape and one \/ to reach the scans.
    data = b'{"a": "' + b"\\\\" * 200_000 + b'x", "b": "\\u00e9\\/"}'
    started = time.perf_counter()
    extraction = _parse(data)
    assert time.perf_counter() - started < 5  # quadratic matching takes minutes here
    assert extraction.units[0].source == "\\" * 200_000 + "x"
    out = _render(extraction, {"b": "é/"})
    assert out.endswith(b'"b": "\\u00e9\\/"}')


def test_ids_of_long_nested_keys_stay_short_and_unique() -> None:
    # 60 levels of 1,000-character keys above 20,000 leaves: full paths would be 60 KB each.
    head = b"".join(b'{"' + bytes([65 + i % 26]) * 1000 + b'": ' for i in range(60))
    leaves = b",".join(b'"k%d": "v"' % i for i in range(20_000))
    data = head + b"{" + leaves + b"}" + b"}" * 60
    units = _parse(data).units
    assert len(units) == 20_000
    assert max(len(u.id) for u in units) <= 200
    assert len({u.id for u in units}) == 20_000
    assert units[0].context == ("F" * 1000, "G" * 1000, "H" * 1000, "k0")  # the last keys
    out = _render(_parse(data), {units[5].id: "w"})
    assert out == data.replace(b'"k5": "v"', b'"k5": "w"')
