"""What is prose and what never goes to an engine."""

from __future__ import annotations

import pytest

from dragoman.content.filters import is_translatable


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\n\t",
        "42",
        "3.14",
        "1,000",
        "-5%",
        "+1.5e10",
        "100 px",
        "12 ms",
        "https://example.com/a?b=c",
        "http://x.org",
        "www.example.com",
        "mailto:a@b.co",
        "support@example.com",
        "{count}",
        "%s: %d",
        "<br/>",
        "<b></b>",
        "{{name}}",
        "%1$s - %2$s",
        "&nbsp;",
        "#fff",
        "#A0B1C2",
        "#a0b1c2ff",
        "2024-01-31",
        "2024-01-31T10:20:30Z",
        "2024-01-31T10:20:30.123+02:00",
        "...",
        "—",
        "👍",
        "550e8400-e29b-41d4-a716-446655440000",
        "{count, number}",
        "(%d)",
    ],
)
def test_not_translatable(text: str) -> None:
    assert not is_translatable(text)


@pytest.mark.parametrize(
    "text",
    [
        "Save",
        "a",
        "Hello {name}",
        "%d files",
        "50% off",
        "<b>Bold</b>",
        "3rd place",
        "Visit https://example.com now",
        "Écrire",
        "保存",
        "Сохранить",
        "{count, plural, one {# item} other {# items}}",
        "#1 choice",
        "OK",
        "  padded  ",
        "e-mail me",
    ],
)
def test_translatable(text: str) -> None:
    assert is_translatable(text)
