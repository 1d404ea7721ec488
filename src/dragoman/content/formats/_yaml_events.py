"""YAML parse events with character positions: libyaml through PyYAML when present, else ruamel."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from dragoman.errors import FileFormatError

Backend = Callable[[str], Iterator[Any]]


def _libyaml() -> Backend | None:
    try:
        import yaml
    except ImportError:
        return None
    if not getattr(yaml, "__with_libyaml__", False):
        return None
    loader = yaml.CSafeLoader

    def events(text: str) -> Iterator[Any]:
        # libyaml's C scanner is ~20x faster than a pure-Python one; marks count characters.
        # get_event() alone, not yaml.parse's check_event()+get_event() pair per event.
        parser = loader(text)
        end = yaml.StreamEndEvent
        try:
            while True:
                event = parser.get_event()
                yield event
                if type(event) is end:
                    return
        finally:
            parser.dispose()

    return events


def _ruamel(text: str) -> Iterator[Any]:
    from ruamel.yaml import YAML

    return iter(YAML(typ="safe", pure=True).parse(text))


def backends() -> dict[str, Backend]:
    """Every event source this install has, fastest first."""
    found: dict[str, Backend] = {}
    fast = _libyaml()
    if fast is not None:
        found["libyaml"] = fast
    found["ruamel"] = _ruamel
    return found


def default_backend() -> Backend:
    """The fastest event source available."""
    return next(iter(backends().values()))


def as_format_error(exc: Exception, text: str) -> FileFormatError:
    """A PyYAML or ruamel parse error as a FileFormatError naming the problem and its line."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    line = mark.line + 1 if mark is not None else None
    position = getattr(exc, "position", None)  # a reader error: a bad character
    if line is None and isinstance(position, int):
        line = text.count("\n", 0, position) + 1
    text = f"{context}: {problem}" if context else str(problem)
    return FileFormatError(f"invalid YAML: {text}", line=line)


def parse_errors() -> tuple[type[Exception], ...]:
    """The exception classes the backends raise for a malformed document."""
    errors: list[type[Exception]] = []
    try:
        import yaml

        errors.append(yaml.YAMLError)
    except ImportError:
        pass
    from ruamel.yaml.error import YAMLError

    errors.append(YAMLError)
    return tuple(errors)
