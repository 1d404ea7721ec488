"""Bodies the translator API accepts, and how it renders jobs and segments."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dragoman.core import human_queries, review
from dragoman.core.credits import from_micros
from dragoman.core.human_queries import JobDetail, JobSummary, SegmentView
from dragoman.core.human_units import MAX_TARGET_CHARS
from dragoman.timefmt import iso_ms


class SegmentBody(BaseModel):
    """`PUT .../segments/{segmentId}`: the translator's draft."""

    model_config = ConfigDict(extra="forbid")

    target: str = Field(max_length=MAX_TARGET_CHARS)


class CommentBody(BaseModel):
    """`POST .../comments`."""

    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=review.MAX_COMMENT_CHARS)


def render_summary(job: JobSummary) -> dict[str, Any]:
    return {
        "id": job.id,
        "status": str(job.status),
        "sourceLocale": job.source_locale,
        "targetLocale": job.target_locale,
        "tier": job.tier,
        "unitCount": job.unit_count,
        "preview": job.preview,
        "availableAt": iso_ms(job.ready_at),
    }


def render_comment(comment: review.Comment) -> dict[str, Any]:
    return {
        "id": comment.id,
        "author": str(comment.author),
        "authorName": comment.author_name,
        "body": comment.body,
        "createdAt": iso_ms(comment.created_at),
    }


def render_segment(view: SegmentView) -> dict[str, Any]:
    seg = view.segment
    return {
        "id": seg.id,
        "key": seg.unit_id,
        "pluralCategory": seg.category,
        "source": seg.source,
        "target": seg.target,
        "machine": seg.machine,
        "state": seg.state,
        "tm": human_queries.render_match(view.tm),
        "glossary": view.terms,
        "placeholders": view.placeholders,
        "qa": view.warnings,
        "maxLength": seg.max_length,
        "note": seg.note,
    }


def render_detail(detail: JobDetail) -> dict[str, Any]:
    job = detail.job
    return {
        "id": job.job_id,
        "status": str(job.status),
        "sourceLocale": job.source_locale,
        "targetLocale": job.target_locale,
        "tier": str(job.tier),
        "unitCount": job.unit_count,
        "credits": str(from_micros(job.credits_micros)),
        "currency": job.currency,
        "revision": job.revision,
        "comment": job.instructions,
        "instructions": job.instructions,
        "attachments": job.attachments,
        "max_chars": job.max_chars,
        "segments": [render_segment(s) for s in detail.segments],
        "comments": [render_comment(c) for c in detail.comments],
    }
