"""YAML codec: Rails and plain YAML, each value spliced in its own style."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from dragoman.content.formats import registry
from dragoman.content.formats._yaml_events import backends
from dragoman.content.formats.yamlfile import YamlCodec
from dragoman.content.model import Limits, Unit
from dragoman.content.plurals import target_forms
from dragoman.errors import FileFormatError, PayloadTooLargeError

FIXTURES = Path(__file__).parents[2] / "fixtures" / "formats" / "yaml"
CODEC = YamlCodec()


def parse(data: bytes | str, source: str = "en", **limits: Any) -> list[Unit]:
    raw = data.encode() if isinstance(data, str) else data
    return CODEC.parse(raw, source_locale=source, limits=Limits(**limits)).units


def render(data: str | bytes, locale: str, targets: dict[str, Any] | None = None) -> str:
    """Render with `targets` (id -> text, or id -> {category: text}) or each source as is."""
    raw = data.encode() if isinstance(data, str) else data
    extraction = CODEC.parse(raw, source_locale="en", limits=Limits())
    units = []
    for unit in extraction.units:
        unit = copy.copy(unit)
        want = (targets or {}).get(unit.id)
        if unit.plural is not None:
            unit.target_plural = want if want is not None else target_forms(unit.plural, locale)
        elif want is not None:
            unit.target = want
        units.append(unit)
    return CODEC.render(extraction.skeleton, units, target_locale=locale).decode()


def tree(text: str) -> Any:
    return yaml.safe_load(text)


def test_registry_finds_the_codec_by_extension() -> None:
    assert registry.for_file("config/locales/en.yml", b"en:\n").name == "yaml"
    assert registry.for_file("content.yaml", b"a: b\n").file_type == "yaml"


def test_rails_ids_drop_the_root_and_keep_breadcrumbs_and_comments() -> None:
    units = {u.id: u for u in parse((FIXTURES / "en.yml").read_bytes())}
    assert "hello" in units and "en.hello" not in units
    assert units["activerecord.attributes.user.email"].context == (
        "activerecord", "attributes", "user", "email",
    )  # fmt: skip
    assert units["helpers.sign_up_notice"].notes == (
        "Shown above the sign-up form; keep it short.",
    )
    assert units["date.abbr_day_names[1]"].source == "Mon"
    assert units["shared.escaped"].source == 'Café "special" \\ path'
    assert units["mailer.welcome_body"].source.endswith("link below:\n")
    assert units["mailer.reset_hint"].source.endswith(
        "password. You can do this through the link below.\n"
    )


def test_non_strings_symbols_and_aliases_are_not_units() -> None:
    units = {u.id for u in parse((FIXTURES / "en.yml").read_bytes())}
    for key in (
        "number.currency.format.precision",  # 2
        "number.currency.format.significant",  # false
        "date.abbr_month_names[0]",  # ~
        "time.released_on",  # a date
        "date.order[0]",  # :year, a Ruby symbol
        "shared.dialog.<<",  # the merge key's alias
    ):
        assert key not in units


def test_plural_mappings_are_one_unit_with_their_categories() -> None:
    units = {u.id: u for u in parse((FIXTURES / "en.yml").read_bytes())}
    assert units["activerecord.models.user"].plural == {"one": "User", "other": "Users"}
    assert units["inbox.messages"].plural == {
        "zero": "You have no messages",
        "one": "You have one message",
        "other": "You have %{count} messages",
    }
    assert units["inbox.messages"].source == "You have %{count} messages"
    assert "inbox.messages.one" not in units


def test_plain_yaml_every_string_is_a_unit_and_plural_keys_stay_plain() -> None:
    units = {u.id: u for u in parse((FIXTURES / "content.yaml").read_bytes())}
    assert units["counts.one"].source == "one item"
    assert units["site.nav[1].label"].source == "Getting started"
    assert units["features[2]"].source == "Offline"
    assert "site.beta" not in units and "site.version" not in units and "empty" not in units


RAILS = """\
en:
  cart:
    # How many items the cart holds.
    items:
      one: 1 item
      other: "%{count} items"
    notice: {one: 'one notice', other: '%{count} notices'}
    empty:
      zero: 'nothing'
      one: 'one'
      other: 'many'
"""


def test_es_plural_adds_many_after_the_last_sibling_in_its_style() -> None:
    out = render(
        RAILS,
        "es",
        {
            "cart.items": {
                "one": "1 artículo",
                "many": "%{count} de artículos",
                "other": "%{count} artículos",
            }
        },
    )
    assert out.startswith("es:\n")
    assert (
        "      one: 1 artículo\n"
        '      other: "%{count} artículos"\n'
        '      many: "%{count} de artículos"\n'
    ) in out
    assert tree(out)["es"]["cart"]["items"] == {
        "one": "1 artículo", "other": "%{count} artículos", "many": "%{count} de artículos",
    }  # fmt: skip


def test_ru_plural_in_bytes_and_flow_mapping() -> None:
    out = render(RAILS, "ru")
    assert (
        '      other: "%{count} items"\n      few: "%{count} items"\n      many: "%{count} items"\n'
        in out
    )
    # ru `one` also means 21, 31...: it takes `other`'s text, which carries the number.
    assert (
        "    notice: {one: '%{count} notices', other: '%{count} notices', "
        "few: '%{count} notices', many: '%{count} notices'}\n"
    ) in out
    assert set(tree(out)["ru"]["cart"]["notice"]) == {"one", "few", "many", "other"}


def test_ja_plural_removes_categories_but_keeps_zero() -> None:
    out = render(
        RAILS, "ja", {"cart.empty": {"other": "たくさん"}, "cart.items": {"other": "%{count} 個"}}
    )
    assert "one:" not in out
    assert "      zero: 'nothing'\n      other: 'たくさん'\n" in out
    assert "    notice: {other: '%{count} notices'}\n" in out
    assert tree(out)["ja"]["cart"]["items"] == {"other": "%{count} 個"}


def test_ar_plural_gets_all_six_categories() -> None:
    forms = {c: f"{c} ع" for c in ("zero", "one", "two", "few", "many", "other")}
    out = render(RAILS, "ar", {"cart.empty": forms})
    lines = [f"      {c}: '{c} ع'\n" for c in ("zero", "one", "other", "two", "few", "many")]
    assert "".join(lines) in out
    assert tree(out)["ar"]["cart"]["empty"] == forms


def test_a_plural_removed_at_the_end_of_the_file_leaves_valid_yaml() -> None:
    src = "en:\n  n:\n    one: a\n    other: b"
    out = render(src, "ja", {"n": {"other": "c"}})
    assert out == "ja:\n  n:\n    other: c"
    out = render(src, "ru", {"n": {"one": "a", "few": "f", "many": "m", "other": "b"}})
    assert out == "ru:\n  n:\n    one: a\n    other: b\n    few: f\n    many: m\n"


@pytest.mark.parametrize(
    ("root", "locale", "expected"),
    [
        ("en", "es", "es:"),
        ("en_US", "pt-BR", "pt_BR:"),
        ("'en'", "fr", "'fr':"),
        ("en", "no", '"no":'),
    ],
)
def test_root_key_follows_the_target_in_its_own_spelling(
    root: str, locale: str, expected: str
) -> None:
    out = render(f"{root}:\n  a: b\n", locale, {"a": "c"})
    assert out == f"{expected}\n  a: c\n"
    assert render(f"{root}:\n  a: b\n", root.strip("'")) == f"{root}:\n  a: b\n"


@pytest.mark.parametrize(
    ("line", "target", "expected"),
    [
        ("k: plain", "still plain", "k: still plain"),
        ("k: plain", "true", 'k: "true"'),
        ("k: plain", "- dash", 'k: "- dash"'),
        ("k: plain", "a: b", 'k: "a: b"'),
        ("k: plain", "two\nlines", 'k: "two\\nlines"'),
        ("k: 'single'", "it's", "k: 'it''s'"),
        ("k: 'single'", "new\nline", 'k: "new\\nline"'),
        ('k: "double"', 'say "hi" \\ \t', 'k: "say \\"hi\\" \\\\ \\t"'),
        ('k: "double"', "bell\x07", 'k: "bell\\x07"'),
        ("k: &anchor plain", "other", "k: &anchor other"),
        ("k: !!str plain", "3", 'k: !!str "3"'),
        ("k: [a, b]", "c, d", 'k: ["c, d", b]'),
        ("k: |\n  one\n  two\n", "uno\ndos\n", "k: |\n  uno\n  dos\n"),
        ("k: |\n  one\n  two\n", "uno\ndos", "k: |-\n  uno\n  dos\n"),
        ("k: |\n  one\n\n\nn: 1\n", "uno\n", "k: |\n  uno\n\n\nn: 1\n"),
        ("k: | # note\n  one\n", " lead", 'k: " lead" # note\n'),
        ("k: >-\n  one\n  two\n", "uno dos\ntres", "k: >-\n  uno dos\n\n  tres\n"),
    ],
)
def test_values_are_written_in_their_own_style(line: str, target: str, expected: str) -> None:
    out = render(
        f"a: 1\n{line}\nz: x\n".replace("\n\nz", "\nz"), "en", {"k": target, "k[0]": target}
    )
    assert out.split("\n", 1)[1].startswith(expected)
    assert out.endswith("z: x\n")
    assert tree(out)["k"] == (target if "[" not in line else [target, "b"])


def test_crlf_and_bom_are_kept() -> None:
    data = (FIXTURES / "devise.en.yml").read_bytes()
    body = "devise.mailer.reset_password_instructions.body"
    out = render(
        b"\xef\xbb\xbf" + data, "es", {body: "Hola %{email}\n\nAlguien pidió un enlace.\n"}
    )
    assert out.startswith("\ufeffes:\r\n")
    assert "        body: |\r\n          Hola %{email}!\r\n" not in out
    assert (
        "        body: |\r\n          Hola %{email}\r\n\r\n          Alguien pidió un enlace.\r\n"
        in out
    )
    assert "\n" not in out.replace("\r\n", "")


def test_an_ascii_only_file_that_escapes_keeps_escaping() -> None:
    out = render('en:\n  a: "Caf\\u00e9"\n', "ja", {"a": "カフェ é"})
    assert out == 'ja:\n  a: "\\u30AB\\u30D5\\u30A7 \\u00E9"\n'
    assert tree(out) == {"ja": {"a": "カフェ é"}}


def test_rendered_files_load_with_the_same_key_tree() -> None:
    for path in sorted(FIXTURES.iterdir()):
        data = path.read_bytes()
        original = tree(data.decode("utf-8-sig"))
        tricky = "«x» \"q\" 'a' \\ & <b> %% ñ 日本\nnext: # y"
        extraction = CODEC.parse(data, source_locale="en", limits=Limits())
        units = [copy.copy(u) for u in extraction.units]
        for unit in units:
            unit.target = None if unit.plural else tricky
            unit.target_plural = (
                {"other": tricky, "one": tricky, "zero": "0"} if unit.plural else None
            )
        out = tree(CODEC.render(extraction.skeleton, units, target_locale="en").decode("utf-8-sig"))
        assert _shape(out) == _shape(original), path.name


def _shape(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _shape(v) for k, v in node.items() if not (isinstance(v, dict) and "other" in v)}
    if isinstance(node, list):
        return [_shape(v) for v in node]
    return type(node).__name__


def test_duplicate_keys_are_kept_under_distinct_ids() -> None:
    src = "en:\n  a: first\n  a: second\n"
    assert [u.id for u in parse(src)] == ["a", "a#2"]
    assert render(src, "de", {"a": "erste", "a#2": "zweite"}) == "de:\n  a: erste\n  a: zweite\n"


@pytest.mark.parametrize("name", sorted(backends()))
def test_every_backend_reads_the_fixtures_alike(name: str) -> None:
    codec = YamlCodec(backends()[name])
    for path in sorted(FIXTURES.iterdir()):
        data = path.read_bytes()
        mine = codec.parse(data, source_locale="en", limits=Limits())
        ref = CODEC.parse(data, source_locale="en", limits=Limits())
        assert [(u.id, u.source, u.plural) for u in mine.units] == [
            (u.id, u.source, u.plural) for u in ref.units
        ]
        assert codec.render(mine.skeleton, mine.units, target_locale="en") == data


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("en.yml", "es.yml"),
        ("config/locales/devise.en.yml", "devise.es.yml"),
        ("site.yaml", "site.es.yaml"),
    ],
)
def test_output_filename(filename: str, expected: str) -> None:
    assert CODEC.output_filename(filename, "en", "es").endswith(expected)


def laughs(levels: int, width: int = 10, last: int | None = None) -> str:
    """A "billion laughs" file: anchors a, b, c... each a list of aliases of the one before."""
    names = "abcdefghijklmnopqrstuvwxyz"
    lines = [f"a: &a [{','.join(['x'] * width)}]"]
    for i in range(1, levels):
        count = last if last is not None and i == levels - 1 else width
        lines.append(f"{names[i]}: &{names[i]} [{','.join([f'*{names[i - 1]}'] * count)}]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_by_its_expansion_under_the_alias_count() -> None:
    # 80 aliases, under the limit of 100, would expand to ~10^8 nodes in Rails or PyYAML.
    with pytest.raises(FileFormatError, match="aliases would expand") as info:
        parse(laughs(9))
    assert info.value.line == 6  # f: 1,111,111 nodes, the first past a million
    # The bound is a million nodes (or 100x the file's own, if more): f holding 9 aliases of
    # e (111,111 nodes) takes the file past it, 7 leave it at ~0.9M; nothing is expanded.
    with pytest.raises(FileFormatError, match="alias bomb"):
        parse(laughs(6, last=9))
    assert len(parse(laughs(6, last=7))) == 10  # only a's items are strings of their own


def test_alias_count_recursion_and_unknown_anchors_are_refused() -> None:
    many = "a: &a x\nb: [" + ", ".join(["*a"] * 101) + "]\n"
    with pytest.raises(FileFormatError, match="more than 100 YAML aliases"):
        parse(many)
    with pytest.raises(FileFormatError, match="recursive alias") as info:
        parse("a: &a\n  b: [1, *a]\n")
    assert info.value.line == 2
    with pytest.raises(FileFormatError, match=r"alias \*b refers to no anchor"):
        parse("a: *b\n")
    with pytest.raises(FileFormatError, match="no anchor"):  # anchors end with their document
        parse("--- {a: &a x}\n--- {b: *a}\n")


def test_rails_merges_still_parse() -> None:
    src = "en:\n  defaults: &defaults\n    ok: OK\n    cancel: Cancel\n" + "".join(
        f"  dialog{i}:\n    <<: *defaults\n    title: Title {i}\n" for i in range(50)
    )
    units = parse(src)
    assert len(units) == 52 and units[-1].id == "dialog49.title"
    assert render(src, "es") == src.replace("en:", "es:", 1)


def test_units_are_counted_as_the_events_stream_in() -> None:
    # Stopped at the 4th string, before the broken line that a full parse would reach.
    with pytest.raises(PayloadTooLargeError, match="limit of 3 strings"):
        parse("a: x\nb: y\nc: z\nd: w\ne: [unclosed\n", max_units=3)
    # Plural forms are one unit each and strings inside a complex key are none.
    src = "en:\n  a: {one: x, other: y}\n  b:\n    one: x\n    other: y\n  ? [p, q]\n  : z\n"
    assert [u.id for u in parse(src, max_units=3)] == ["a", "b", "?"]


def test_far_too_many_values_are_refused_before_parsing() -> None:
    # 1.5M keys in 16 MiB: counted in tens of ms instead of parsed for seconds, so the error
    # names the estimate, not the in-stream limits.
    big = "".join(f"k{i}: v\n" for i in range(1_500_000))
    with pytest.raises(PayloadTooLargeError, match="some 3000000 YAML keys and values"):
        parse(big)
    # Every spelling of an entry counts: a tab after `:`, keys alone, bare items, documents.
    small = {"max_units": 10}  # twice 4 x 10 + 16: 112 values
    for line in ("k{}:\tv\n", "k{}:\n", "? k{}\n", "-\n", "x{}\n...\n", "[1,1,1,1]\n- "):
        data = "".join(line.format(i) for i in range(200)) + "bad: [unclosed\n"
        with pytest.raises(PayloadTooLargeError, match=r"some \d+ YAML keys and values"):
            parse(data, **small)
    # Prose full of commas and colons has headroom: 10 strings counted as 100 values parse.
    prose = "Note: first this, then that, and then - at last - the other, ok, fine"
    assert len(parse("".join(f'k{i}: "{prose}"\n' for i in range(10)), **small)) == 10


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(FileFormatError, match="nested deeper"):
        parse("".join("  " * i + f"k{i}:\n" for i in range(100)) + "  " * 100 + "v: x\n")
    with pytest.raises(FileFormatError):
        parse("a: " + "[" * 50_000 + "]" * 50_000)


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"en:\n  a: x\n  b: \xff\xfe\n", 3),
        (b"en:\n  a: b\x00c\n", 2),
        (b"a:\n  - b\n  c: d\n", 3),
        (bytes(range(256)), 2),
    ],
)
def test_unreadable_files_name_the_line(data: bytes, line: int) -> None:
    with pytest.raises(FileFormatError) as info:
        parse(data)
    assert info.value.line == line


def test_limits_on_size_and_unit_count() -> None:
    with pytest.raises(PayloadTooLargeError):
        parse("".join(f"k{i}: v\n" for i in range(50)), max_units=20)
    with pytest.raises(PayloadTooLargeError):
        parse("a: " + "x" * 2000 + "\n", max_bytes=1000)


def test_plurals_inside_sequence_items_keep_the_item_marker() -> None:
    src = "en:\n  list:\n  - one: a\n    other: b\n  - other: c\n"
    out = render(src, "ja", {"list[0]": {"other": "B"}, "list[1]": {"other": "C"}})
    assert out == "ja:\n  list:\n  - one: a\n    other: B\n  - other: C\n"
    forms = {"one": "A", "few": "F", "many": "M", "other": "C"}
    out = render(src, "ru", {"list[1]": forms})
    assert out.endswith("  - other: C\n    one: A\n    few: F\n    many: M\n")
    assert tree(out)["ru"]["list"][1] == forms


def test_rails_is_a_single_root_key_naming_a_locale() -> None:
    assert [u.id for u in parse("en-US:\n  a: b\n")] == ["a"]
    # A translated file (another locale at the root) reads back with the same ids.
    assert [u.id for u in parse("de:\n  a: b\n")] == ["a"]
    assert [u.id for u in parse("production:\n  a: b\n")] == ["production.a"]
    assert [u.id for u in parse("en:\n  a: b\nfr:\n  a: c\n")] == ["en.a", "fr.a"]
    assert [u.id for u in parse("en: just a string\n")] == ["en"]
