"""Moved to `dragoman.core.transitions` (the one writer of job states); kept as an alias
while code that imports it from here is updated."""

from dragoman.core.transitions import *  # noqa: F403
from dragoman.core.transitions import ClaimedJob, claim, complete, fail, release, renew  # noqa: F401
