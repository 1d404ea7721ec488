"""Both pagination styles: the seed's `limit`/`offset` on singular paths (default 10,
`limit=0` for all; a bare list) and `page`/`size` on the plural `docs/v1/` paths
(`{content, page, links}`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from dragoman.errors import BadRequestError

PLURAL_PREFIX = "/docs/v1/"
DEFAULT_SIZE = 10
MAX_SIZE = 1000


def plural(request: Request) -> bool:
    return request.url.path.startswith(PLURAL_PREFIX)


def _number(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or len(raw) > 9:
        raise BadRequestError(f"{name} must be an integer of 0 or more", field=name)
    return int(raw)


@dataclass(frozen=True, slots=True)
class Window:
    """What to read: `limit` (None: all) from `offset`."""

    limit: int | None
    offset: int
    page: int = 0
    size: int = DEFAULT_SIZE


def window(request: Request) -> Window:
    if plural(request):
        page = _number(request, "page", 0)
        size = _number(request, "size", DEFAULT_SIZE)
        if not 1 <= size <= MAX_SIZE:
            raise BadRequestError(f"size must be between 1 and {MAX_SIZE}", field="size")
        return Window(size, page * size, page, size)
    limit = _number(request, "limit", DEFAULT_SIZE)
    return Window(None if limit == 0 else limit, _number(request, "offset", 0))


def listing(request: Request, items: list[Any], total: int, at: Window) -> Any:
    """A bare list (singular paths), or `{content, page, links}` (plural paths)."""
    if not plural(request):
        return items
    pages = (total + at.size - 1) // at.size
    base = str(request.url.remove_query_params(["page", "size"]))
    extra = {k: v for k, v in request.query_params.items() if k not in ("page", "size")}

    def link(rel: str, page: int) -> dict[str, str]:
        query = urlencode({**extra, "page": page, "size": at.size})
        return {"rel": rel, "href": f"{base.split('?')[0]}?{query}"}

    links = [link("self", at.page)]
    if at.page + 1 < pages:
        links.append(link("next", at.page + 1))
    if at.page > 0:
        links.append(link("prev", at.page - 1))
    return {
        "content": items,
        "page": {"size": at.size, "totalElements": total, "totalPages": pages, "number": at.page},
        "links": links,
    }
