"""What submission needs to know of a file (it parses, how many units, a sample of text),
found by parsing it: in this process for small files, in a short-lived child process for
large ones, so that a big parse's memory goes back to the system when it is done."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from dragoman.content.documents.packages import inflated_size
from dragoman.content.formats import registry
from dragoman.content.model import Limits
from dragoman.content.words import count_all
from dragoman.errors import DragomanError, PayloadTooLargeError, ValidationError

SAMPLE = 200  # translatable texts kept for language detection


@dataclass(frozen=True, slots=True)
class Survey:
    """A parsed file's unit count, translatable count, first translatable texts and the
    words of its translatable units (CJK and Thai counted by characters)."""

    units: int
    translatable: int
    sample: tuple[str, ...]
    words: int = 0


def survey(codec_name: str, data: bytes, source_locale: str, limits: Limits) -> Survey:
    """Parse `data` with the named codec; raises the codec's 4xx errors."""
    extraction = registry.get(codec_name).parse(data, source_locale=source_locale, limits=limits)
    texts = [u.source for u in extraction.units if u.translatable]
    return Survey(len(extraction.units), len(texts), tuple(texts[:SAMPLE]), count_all(texts))


def survey_isolated(
    codec_name: str, data: bytes, source_locale: str, limits: Limits, *, in_child_above: int
) -> Survey:
    """`survey`, run in a fresh child process when `data` is larger than `in_child_above`
    bytes (for a document package, when the XML it inflates to is: a 1 MiB .docx can hold
    100 MB of XML); the child's errors come back as the same 4xx errors."""
    if inflated_size(data) <= in_child_above:
        return survey(codec_name, data, source_locale, limits)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        outcome = pool.submit(_child, codec_name, data, source_locale, limits).result()
    if isinstance(outcome, Survey):
        return outcome
    status, message, field = outcome
    error = PayloadTooLargeError if status == 413 else ValidationError
    raise error(message, field=field)


def _child(
    codec_name: str, data: bytes, source_locale: str, limits: Limits
) -> Survey | tuple[int, str, str | None]:
    """In the child: the survey, or (status, message, field) for an error a client caused."""
    try:
        return survey(codec_name, data, source_locale, limits)
    except DragomanError as exc:
        if exc.status_code >= 500:
            raise
        return exc.status_code, exc.message, exc.field
