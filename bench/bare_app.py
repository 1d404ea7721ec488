"""The baseline for the ingest benchmark: a bare FastAPI endpoint taking the same body."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel

app = FastAPI()


class Body(BaseModel):
    sourceLocale: str
    targetLocales: list[str]
    data: dict[str, Any]


@app.post("/jobs/localization", status_code=202)
def accept(body: Body) -> JSONResponse:
    """Validates the body and answers 202, doing nothing else."""
    jobs = [
        {"id": "ljb_0000000000000000", "targetLocale": t, "status": "queued"}
        for t in body.targetLocales
    ]
    return JSONResponse(
        {
            "groupId": "ljg_0000000000000000",
            "status": "pending",
            "jobs": jobs,
            "createdAt": "2026-01-01T00:00:00.000Z",
        },
        status_code=202,
    )
