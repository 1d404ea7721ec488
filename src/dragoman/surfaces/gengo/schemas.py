"""Gengo payloads: job submissions checked field by field (errors keyed by job), and jobs,
comments and orders rendered as the official client reads them."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from dragoman.core import review
from dragoman.core.credits import from_micros
from dragoman.core.gengo_orders import JobRequest, OrderRequest, jobs_error
from dragoman.core.gengo_views import GengoJob, GengoOrder
from dragoman.core.locales import normalize_locale
from dragoman.core.submission import check_callback_url
from dragoman.core.text_checks import check_text
from dragoman.core.translators import Tier
from dragoman.delivery.webhooks import ssrf
from dragoman.errors import DragomanError, ValidationError
from dragoman.settings import Settings
from dragoman.surfaces.gengo.statuses import gengo_status

MAX_JOBS = 200
MAX_BODY_CHARS = 100_000
MAX_CUSTOM_DATA_BYTES = 1024
MAX_SHORT = 255
SERVICES = frozenset({"translation", "edit"})
# Script and active content are refused in bodies and comments; other markup is text.
_ACTIVE = re.compile(r"<\s*/?\s*(script|iframe|object|embed)\b|javascript\s*:|\bon\w+\s*=", re.I)
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")


class _Problems:
    """Per-job problems, gathered so that one answer lists them all."""

    def __init__(self) -> None:
        self.found: dict[str, list[tuple[int, str]]] = {}

    def add(self, key: str, code: int, message: str) -> None:
        self.found.setdefault(key, []).append((code, message))


def _flag(value: Any, name: str) -> bool:
    if value in (None, "", 0, "0", False, "false"):
        return False
    if value in (1, "1", True, "true"):
        return True
    raise ValueError(f"{name} must be 0 or 1")


def check_active(text: str, field: str, *, no_markup: bool = False) -> str:
    """ValidationError for script or active content (and, with `no_markup`, any tag)."""
    if _ACTIVE.search(text) or (no_markup and _TAG.search(text)):
        what = "HTML tags" if no_markup else "script or active content"
        raise ValidationError(f"{field} must not contain {what}", field=field)
    return text


def _text(job: dict[str, Any], name: str, limit: int, required: bool = False) -> str | None:
    value = job.get(name)
    if value is None or value == "":
        if required:
            raise ValueError(f"{name} is a required field")
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise ValueError(f"{name} must be a string")
    text = check_text(str(value), name)
    if len(text) > limit:
        raise ValueError(f"{name} is {len(text)} characters; at most {limit}")
    return text


def _callback(url: str | None, settings: Settings) -> str | None:
    if url is not None:
        check_callback_url(url, "callback_url", settings=settings)
    return url


def _attachments(value: Any, policy: ssrf.NetworkPolicy) -> list[dict[str, Any]]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or len(value) > 20:
        raise ValueError("attachments must be a list of at most 20 objects")
    found = []
    for index, item in enumerate(value):
        if not isinstance(item, dict) or not isinstance(item.get("url"), str):
            raise ValueError(f"attachments[{index}] must be an object with a url")
        url = item["url"]
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 2000:
            raise ValueError(f"attachments[{index}].url must be a public http(s) URL")
        try:
            ssrf.check_url(url, policy, f"attachments[{index}].url")
        except DragomanError as exc:
            raise ValueError(exc.message) from None
        found.append({
            "url": url,
            "filename": str(item.get("filename") or "")[:255],
            "mime_type": str(item.get("mime_type") or "")[:100],
        })  # fmt: skip
    return found


_CODES = {"body_src": 1350, "lc_src": 1400, "lc_tgt": 1450, "tier": 1304, "type": 1301,
          "custom_data": 1751, "callback_url": 1601, "auto_approve": 1651,
          "use_preferred": 1701, "slug": 1350}  # fmt: skip


def parse_job(
    key: str,
    job: Any,
    problems: _Problems,
    *,
    order_comment: str | None,
    settings: Settings,
    quoting: bool = False,
) -> JobRequest:
    """One submitted job (problems recorded under `key`; the result is then unused). A file
    job names its quoted file's `identifier` (or, in a quote, the upload's `file_key`)."""
    if not isinstance(job, dict):
        problems.add(key, 1800, f"{key} must be an object")
        return _placeholder(key)
    values: dict[str, Any] = {}

    def field(name: str, fn: Any) -> None:
        try:
            values[name] = fn()
        except (ValueError, DragomanError) as exc:
            message = exc.message if isinstance(exc, DragomanError) else str(exc)
            problems.add(key, _CODES.get(name, 1251), message)

    field("type", lambda: _type(job.get("type")))
    is_file = values.get("type") == "file"
    if is_file:
        name = "file_key" if quoting else "identifier"
        code = 1803 if quoting else 1302
        field("identifier", lambda: _text(job, name, 200, required=True))
        if "identifier" not in values:
            problems.found[key][-1] = (code, f"{name} is a required field for a file job")
    else:
        field("body_src", lambda: check_active(
            _text(job, "body_src", MAX_BODY_CHARS, required=True) or "", "body_src"))  # fmt: skip
    field("slug", lambda: _text(job, "slug", MAX_SHORT, required=not quoting) or "")
    field("lc_src", lambda: normalize_locale(str(job.get("lc_src") or ""), field="lc_src"))
    field("lc_tgt", lambda: normalize_locale(str(job.get("lc_tgt") or ""), field="lc_tgt"))
    field("tier", lambda: _tier(job.get("tier")))
    field("custom_data", lambda: _custom_data(job.get("custom_data")))
    field("callback_url", lambda: _callback(_text(job, "callback_url", 2000), settings))
    field("position", lambda: _int(job.get("position"), "position", 1))
    field("max_chars", lambda: _int(job.get("max_chars"), "max_chars", 1))
    field("comment", lambda: _comment(job.get("comment"), order_comment))
    policy = ssrf.NetworkPolicy.from_cidrs(settings.webhook_allow_networks)
    field("attachments", lambda: _attachments(job.get("attachments"), policy))
    field("purpose", lambda: _text(job, "purpose", MAX_SHORT))
    field("tone", lambda: _text(job, "tone", MAX_SHORT))
    field("auto_approve", lambda: _flag(job.get("auto_approve"), "auto_approve"))
    field("use_preferred", lambda: _flag(job.get("use_preferred"), "use_preferred"))
    field("force", lambda: _flag(job.get("force"), "force"))
    field("services", lambda: _services(job.get("services")))
    if key in problems.found:
        return _placeholder(key)
    if values["lc_src"] == values["lc_tgt"]:
        problems.add(key, 1551, "lc_src and lc_tgt must differ")
        return _placeholder(key)
    return JobRequest(key=key, body_src=values.pop("body_src", ""), **values)


def _placeholder(key: str) -> JobRequest:
    return JobRequest(key, "", "en", "es", Tier.STANDARD, "")


def _type(value: Any) -> str:
    if value in (None, "", "text"):
        return "text"
    if value == "file":
        return "file"
    raise ValueError(f"type must be text or file (not {str(value)[:20]!r})")


def _tier(value: Any) -> Tier:
    if not isinstance(value, str) or value.strip().lower() not in ("standard", "pro"):
        raise ValueError("tier is a required field: standard or pro")
    return Tier(value.strip().lower())


def _custom_data(value: Any) -> str | None:
    if value is None or value == "":
        return None
    text = check_text(value if isinstance(value, str) else str(value), "custom_data")
    if len(text.encode()) > MAX_CUSTOM_DATA_BYTES:
        raise ValueError('"custom_data" is over maximum storage limit (1kb)')
    return text


def _int(value: Any, name: str, minimum: int) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not str(value).strip().lstrip("-").isdigit():
        raise ValueError(f"{name} must be an integer")
    number = int(str(value).strip())
    if number < minimum or number > 10_000_000:
        raise ValueError(f"{name} must be greater than 0" if minimum == 1 else f"{name} too small")
    return number


def _comment(value: Any, order_comment: str | None) -> str | None:
    if value in (None, ""):
        return order_comment
    if not isinstance(value, str):
        raise ValueError("comment must be a string")
    text = check_active(check_text(value, "comment"), "comment", no_markup=True)
    if len(text) > review.MAX_COMMENT_CHARS:
        raise ValueError(f"comment is {len(text)} characters; at most {review.MAX_COMMENT_CHARS}")
    return "\n\n".join(t for t in (order_comment, text) if t)


def _services(value: Any) -> tuple[str, ...]:
    if value in (None, ""):
        return ("translation",)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ValueError("services must be a list such as ['translation', 'edit']")
    unknown = [v for v in value if v not in SERVICES]
    if unknown:
        raise ValueError(f"services: unknown service {unknown[0][:40]!r} (translation, edit)")
    return tuple(dict.fromkeys(["translation", *value]))


def parse_order(data: Any, settings: Settings, *, quoting: bool = False) -> OrderRequest:
    """`data` of `POST /translate/jobs` (or of a quote); per-job errors keyed by job."""
    if not isinstance(data, dict):
        raise ValidationError("data must be a JSON object", field="data")
    jobs = data.get("jobs")
    if isinstance(jobs, list):  # a list of payloads: keyed job_1, job_2, ... in order
        jobs = {f"job_{i}": job for i, job in enumerate(jobs, 1)}
    if not isinstance(jobs, dict) or not jobs:
        raise ValidationError("jobs is a required field", field="jobs", gengo_code=1800)
    if len(jobs) > MAX_JOBS:
        raise ValidationError(f"at most {MAX_JOBS} jobs per order", field="jobs", gengo_code=1800)
    try:
        as_group = _flag(data.get("as_group"), "as_group")
        comment = _comment(data.get("comment"), None)
    except (ValueError, DragomanError) as exc:
        text = exc.message if isinstance(exc, DragomanError) else str(exc)
        raise ValidationError(text, field="as_group" if "as_group" in text else "comment") from None
    problems = _Problems()
    parsed = [
        parse_job(
            str(k)[:60], job, problems, order_comment=comment, settings=settings, quoting=quoting
        )
        for k, job in jobs.items()
    ]
    if problems.found:
        raise jobs_error(problems.found)
    return OrderRequest(parsed, as_group, comment)


# --- rendering ------------------------------------------------------------------------


def _credits(micros: int) -> float:
    return float(from_micros(micros))


def render_job(job: GengoJob, base_url: str = "") -> dict[str, Any]:
    """The job payload of the seed (for responses and callbacks); a file job's links start
    with `base_url` (the server's public URL when set)."""
    body: dict[str, Any] = {
        "job_id": job.number,
        "order_id": job.order_number,
        "slug": job.slug,
        "body_src": job.body_src,
        "body_tgt": job.body_tgt or "",
        "lc_src": job.lc_src,
        "lc_tgt": job.lc_tgt,
        "unit_count": job.unit_count,
        "tier": job.tier,
        "credits": _credits(job.credits_micros),
        "currency": job.currency,
        "status": gengo_status(job.status, job.rejected),
        "eta": 0 if job.completed_at is not None else job.eta_seconds,
        "callback_url": job.callback_url or "",
        "auto_approve": int(job.auto_approve),
        "ctime": str(int(job.created_at.timestamp())),
        "custom_data": job.custom_data or "",
        "services": job.services,
    }
    for name in ("position", "max_chars", "comment", "purpose", "tone"):
        value = getattr(job, name)
        if value is not None:
            body[name] = value
    if job.type == "file":
        body["type"] = "file"
        link = f"{base_url.rstrip('/')}/v2/translate/job/{job.number}/file"
        body["file_url_src"] = f"{link}/source"
        if job.has_output_file:
            body["file_url_tgt"] = f"{link}/target"
    if job.machine is not None and not job.body_tgt:
        body["mt"] = 1
        body["body_tgt"] = job.machine
    return body


def render_comment(comment: review.Comment) -> dict[str, Any]:
    """A comment of a job's thread."""
    return {
        "body": comment.body,
        "author": str(comment.author),
        "ctime": int(comment.created_at.timestamp()),
    }


def render_order(order: GengoOrder) -> dict[str, Any]:
    """`GET /translate/order/{id}`: totals and job ids by Gengo status."""
    by_status: dict[str, list[str]] = {}
    for job in order.jobs:
        by_status.setdefault(gengo_status(job.status, job.rejected), []).append(str(job.number))
    body: dict[str, Any] = {
        "order_id": order.number,
        "total_credits": _credits(order.credits_micros),
        "currency": order.currency,
        "total_units": sum(j.unit_count for j in order.jobs),
        "total_jobs": len(order.jobs),
        "as_group": int(order.as_group),
    }
    for name in ("queued", "available", "pending", "reviewable", "revising", "approved",
                 "rejected", "cancelled", "hold"):  # fmt: skip
        body[f"jobs_{name}"] = by_status.get(name, [])
    return body
