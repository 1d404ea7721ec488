"""CLDR categories per target, matched by name, and gettext's index order."""

from __future__ import annotations

import pytest

from dragoman.content.plurals import gettext_plurals, ordered_categories, target_forms

EN = {"one": "%(count)s file", "other": "%(count)s files"}


@pytest.mark.parametrize(
    ("locale", "categories"),
    [
        ("es", ["one", "many", "other"]),
        ("ru", ["one", "few", "many", "other"]),
        ("ja", ["other"]),
        ("ar", ["zero", "one", "two", "few", "many", "other"]),
        ("zz-unknown", ["other"]),
    ],
)
def test_the_target_gets_exactly_its_categories(locale: str, categories: list[str]) -> None:
    assert ordered_categories(locale) == categories
    assert list(target_forms(EN, locale)) == categories


def test_forms_are_matched_by_name_and_platform_keys_are_kept() -> None:
    forms = target_forms({"zero": "No files", **EN}, "ru")
    assert forms["one"] == EN["one"] and forms["few"] == EN["other"]
    assert forms["zero"] == "No files"


def test_a_one_without_the_number_is_not_used_where_one_covers_21() -> None:
    source = {"one": "One file", "other": "%(count)s files"}
    assert target_forms(source, "es")["one"] == "One file"  # es `one` is exactly 1
    assert target_forms(source, "ru")["one"] == "%(count)s files"  # ru `one` has 21, 31...
    assert target_forms(source, "fr")["one"] == "%(count)s files"  # fr `one` has 0


def test_gettext_indexes_map_to_categories() -> None:
    assert gettext_plurals("ru")[0] == 3
    assert gettext_plurals("ru")[2] == ("one", "few", "many")
    assert gettext_plurals("es")[2] == ("one", "many", "other")
    assert gettext_plurals("ja")[2] == ("other",)
