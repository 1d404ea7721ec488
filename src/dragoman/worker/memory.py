"""Give memory back to the system after large jobs (glibc only; a no-op elsewhere).

A job on a 20 MiB file allocates a few hundred megabytes of short-lived objects from the
worker thread that runs it. glibc keeps freed memory in per-thread arenas, and after the
first large buffer is freed it raises its mmap threshold so later large buffers come from
those arenas too: each worker thread then holds on to its own few hundred megabytes. Fixing
the threshold keeps large buffers in mmap (returned on free), and a trim after each large job
hands the arenas' free pages back.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
from functools import cache

log = logging.getLogger(__name__)
_M_MMAP_THRESHOLD = -3  # mallopt parameter (malloc.h)
MMAP_THRESHOLD = 256 * 1024  # buffers above this come from mmap and go back when freed


@cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt  # noqa: B018 - glibc has it; musl and others do not
        libc.malloc_trim  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


def keep_large_buffers_in_mmap() -> None:
    """Stop glibc from raising its mmap threshold (once per process)."""
    libc = _libc()
    if libc is not None and not libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD):
        log.debug("mallopt(M_MMAP_THRESHOLD) was refused")


def release() -> None:
    """Collect garbage and return free heap pages to the system."""
    gc.collect()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
