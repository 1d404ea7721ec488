"""I18nextCodec: `_one`/`_other` siblings as one plural unit, rendered as the target's keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dragoman.content.formats.jsonfile import I18nextCodec
from dragoman.content.model import Extraction, Limits, Unit
from dragoman.content.plurals import target_forms

FIXTURES = Path(__file__).parents[2] / "fixtures" / "formats" / "i18next"
CODEC = I18nextCodec()


def _parse(data: bytes) -> Extraction:
    return CODEC.parse(data, source_locale="en", limits=Limits())


def _render(extraction: Extraction, locale: str, mark: bool = True) -> bytes:
    """Every plural gets `<locale>:<category> <source form>`; plain strings stay as they are."""
    units = []
    for u in extraction.units:
        plural = None
        if u.plural is not None:
            forms = target_forms(u.plural, locale)
            plural = {c: f"{locale}:{c} {t}" if mark else t for c, t in forms.items()}
        units.append(Unit(u.id, u.source, plural=u.plural, target_plural=plural))
    return CODEC.render(extraction.skeleton, units, target_locale=locale)


def test_plural_siblings_are_one_unit_named_by_their_base_key() -> None:
    units = {u.id: u for u in _parse((FIXTURES / "translation.json").read_bytes()).units}
    unread = units["inbox.unread"]
    assert unread.plural == {
        "zero": "No unread messages",
        "one": "You have {{count}} unread message",
        "other": "You have {{count}} unread messages",
    }
    assert unread.source == "You have {{count}} unread messages"
    assert unread.context == ("inbox", "unread")
    # The context key `friend_male` comes first in the file; its plural forms get `#2`.
    assert units["friend_male"].plural is None
    assert units["friend_male#2"].plural == {
        "one": "{{count}} boyfriend",
        "other": "{{count}} boyfriends",
    }
    # Ordinal forms follow other rules than target_forms builds: they stay plain keys.
    assert units["place_ordinal_two"].plural is None
    assert "inbox.unread_one" not in units and "tips[1]" in units


def _lines(out: bytes, prefix: str) -> list[str]:
    return [line.strip() for line in out.decode().splitlines() if line.strip().startswith(prefix)]


def test_spanish_gets_many_added_after_the_last_form_with_its_indentation() -> None:
    out = _render(_parse((FIXTURES / "translation.json").read_bytes()), "es")
    assert (
        '    "item_one": "es:one {{count}} item",\n'
        '    "item_other": "es:other {{count}} items",\n'
        '    "item_many": "es:many {{count}} items",\n'
        '    "total": "Total: {{val, currency(USD)}}",'
    ) in out.decode()
    assert _lines(out, '"unread_') == [
        '"unread_zero": "es:zero No unread messages",',
        '"unread_one": "es:one You have {{count}} unread message",',
        '"unread_other": "es:other You have {{count}} unread messages",',
        '"unread_many": "es:many You have {{count}} unread messages",',
    ]


def test_russian_gets_one_few_many_other() -> None:
    out = _render(_parse((FIXTURES / "translation.json").read_bytes()), "ru")
    assert [line.split(":")[0] for line in _lines(out, '"friend_male_')] == [
        '"friend_male_one"',
        '"friend_male_other"',
        '"friend_male_few"',
        '"friend_male_many"',
    ]
    tree = json.loads(out)
    assert tree["cart"]["item_few"] == "ru:few {{count}} items"
    assert tree["maxItems"] == 50 and tree["tips"] == ["Drag to reorder", "Double-click to rename"]


def test_japanese_keeps_only_other_and_commas_stay_valid() -> None:
    data = (FIXTURES / "common.json").read_bytes()
    out = _render(_parse(data), "ja")
    assert b'"uploaded_one"' not in out and b'"members_one"' not in out
    assert b'    "members_other": "ja:other {{count}} members",\r\n' in out
    assert b'"invite": {"sent_other": "ja:other {{count}} invitations sent"},' in out
    assert b'"day_other": "ja:other days",\r\n' in out
    tree = json.loads(out)
    assert set(tree) == {"files", "members_other", "invite", "day_other", "footer"}
    assert list(tree["files"]) == ["uploaded_other", "deleteConfirm", "size"]


def test_arabic_gets_all_six_categories_in_the_files_escape_style() -> None:
    data = (FIXTURES / "common.json").read_bytes()
    out = _render(_parse(data), "ar")
    assert out.isascii()  # this file writes non-ASCII as \u escapes
    assert (
        b'"invite": {"sent_one": "ar:one Invitation sent", "sent_other": "ar:other {{count}} '
        b'invitations sent", "sent_zero": "ar:zero {{count}} invitations sent", "sent_two": '
    ) in out
    tree = json.loads(out)
    for base, where in (("uploaded", tree["files"]), ("day", tree), ("members", tree)):
        cats = {k.rsplit("_", 1)[1] for k in where if k.startswith(base + "_")}
        assert cats == {"zero", "one", "two", "few", "many", "other"}, base
    again = {u.id: u for u in _parse(out).units}
    assert again["files.uploaded"].plural is not None
    assert set(again["files.uploaded"].plural) == {"zero", "one", "two", "few", "many", "other"}
    assert again["files.uploaded"].plural["other"] == "ar:other «Uploaded {{count}} files»"


def test_unchanged_forms_for_an_english_target_keep_every_byte() -> None:
    for path in sorted(FIXTURES.iterdir()):
        data = path.read_bytes()
        assert _render(_parse(data), "en-GB", mark=False) == data, path.name


def test_a_removed_first_member_keeps_an_inline_object_tidy() -> None:
    data = b'{"n": {"a_one": "x", "a_other": "y", "b": 1}}'
    out = _render(_parse(data), "ja", mark=False)
    assert out == b'{"n": {"a_other": "y", "b": 1}}'
    last = b'{"a_other": "y", "a_one": "x"}'
    assert _render(_parse(last), "ja", mark=False) == b'{"a_other": "y"}'


def test_forms_without_other_still_group_and_gain_it() -> None:
    data = b'{\n  "a_one": "x",\n  "a_two": "y"\n}'
    extraction = _parse(data)
    assert extraction.units[0].plural == {"one": "x", "two": "y"}
    out = _render(extraction, "ja", mark=False)
    assert out == b'{\n  "a_other": "y"\n}'  # target_forms falls back on the last form


@pytest.mark.parametrize(
    "data",
    [
        b'{"a_one": "x"}',
        b'{"status_other": "Other", "status_open": "Open"}',
        b'{"a_one": "x", "a_one": "y", "a_other": "z"}',
        b'{"a_one": 1, "a_other": 2}',
        b'{"a_ordinal_one": "1st", "a_ordinal_other": "{{count}}th"}',
    ],
)
def test_keys_that_are_not_a_plural_stay_plain(data: bytes) -> None:
    assert all(u.plural is None for u in _parse(data).units)


def test_a_lone_other_form_with_count_is_a_plural() -> None:
    units = _parse(b'{"files_other": "{{ count }} files"}').units
    assert [(u.id, u.plural) for u in units] == [("files", {"other": "{{ count }} files"})]


def test_sniff_looks_for_plural_suffixes_in_the_head() -> None:
    assert CODEC.sniff(b'{\n  "files": {\n    "uploaded_one": "x"')
    assert CODEC.sniff(b'{"count_other" : "x"}')
    assert not CODEC.sniff(b'{"someone": "x", "other": "y"}')


def test_nested_objects_that_both_change_shape_render_valid_json() -> None:
    data = (
        b'{\n  "a_one": "x",\n  "a_other": "xs",\n  "inner": {\n    "b_one": "y",\n'
        b'    "b_other": "ys",\n    "deeper": {"c_one": "z", "c_other": "zs"}\n  }\n}\n'
    )
    for locale, cats in (("ja", {"other"}), ("ar", {"zero", "one", "two", "few", "many", "other"})):
        out = _render(_parse(data), locale)
        tree = json.loads(out)
        assert {k.split("_")[1] for k in tree if k.startswith("a_")} == cats
        assert {k.split("_")[1] for k in tree["inner"] if k.startswith("b_")} == cats
        assert {k.split("_")[1] for k in tree["inner"]["deeper"]} == cats
        assert tree["inner"]["deeper"]["c_other"] == f"{locale}:other zs"
