"""`/v2/account`: balance, stats and who the key belongs to."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from dragoman.core import gengo_views
from dragoman.core.credits import from_micros
from dragoman.surfaces.base import CoreDep
from dragoman.surfaces.gengo.auth import SignedDep
from dragoman.surfaces.gengo.errors import GengoRoute, error_responses, ok

router = APIRouter(
    prefix="/v2/account", route_class=GengoRoute, tags=["Gengo"], responses=error_responses()
)


@router.get("/balance")
async def balance(signed: SignedDep, core: CoreDep) -> JSONResponse:
    """The organization's credits."""
    found = await core.review.balance(signed.org.id)
    return ok({"credits": float(found.credits), "currency": found.currency})


@router.get("/stats")
async def stats(signed: SignedDep, core: CoreDep) -> JSONResponse:
    """Credits spent on orders, and since when the organization orders."""
    org_id = signed.org.id
    spent = await core.gengo.read(lambda c: gengo_views.credits_spent(c, org_id))
    since = await core.gengo.read(lambda c: gengo_views.first_order_at(c, org_id))
    return ok({
        "credits_spent": float(from_micros(spent)), "currency": "USD",
        "user_since": int(since.timestamp()) if since else None, "billing_type": "Pre-pay",
        "customer_type": "Retail",
    })  # fmt: skip


@router.get("/me")
async def me(signed: SignedDep) -> JSONResponse:
    """The organization the key belongs to."""
    name = signed.org.name
    return ok({"email": "", "full_name": name, "display_name": name, "language_code": "en"})
