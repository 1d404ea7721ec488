"""Comment threads of Gengo orders (`POST /translate/order/{id}/comment`, `GET .../comments`):
the customer's words about a whole order, kept beside the order (purged with it)."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select

from dragoman.core import review
from dragoman.core.review import Author, Comment
from dragoman.errors import NotFoundError, ValidationError
from dragoman.ids import new_id
from dragoman.store.gengo_tables import gengo_order_comments, gengo_orders
from dragoman.timefmt import utcnow


def _order_id(conn: Connection, org_id: str, number: int) -> str:
    value = conn.execute(
        select(gengo_orders.c.id).where(
            gengo_orders.c.number == number, gengo_orders.c.org_id == org_id
        )
    ).scalar()
    if value is None:
        raise NotFoundError(f"order {number} not found", field="order_id", gengo_code=2750)
    return str(value)


def add_comment(conn: Connection, org_id: str, number: int, body: str) -> Comment:
    """Add the customer's comment to the organization's order; NotFoundError otherwise."""
    order_id = _order_id(conn, org_id, number)
    if not body.strip():
        raise ValidationError("body must not be empty", field="body", gengo_code=2000)
    review.check_text(body, "body")
    comment = Comment(new_id("gcm"), Author.CUSTOMER, None, None, body, utcnow())
    conn.execute(
        insert(gengo_order_comments).values(
            id=comment.id, order_id=order_id, org_id=org_id, author=str(comment.author),
            body=body, created_at=comment.created_at,
        )
    )  # fmt: skip
    return comment


def list_comments(conn: Connection, org_id: str, number: int) -> list[Comment]:
    """The order's comments, oldest first; NotFoundError for another organization's order."""
    order_id = _order_id(conn, org_id, number)
    rows = conn.execute(
        select(gengo_order_comments)
        .where(gengo_order_comments.c.order_id == order_id)
        .order_by(gengo_order_comments.c.created_at, gengo_order_comments.c.id)
    )
    return [Comment(r.id, Author(r.author), None, None, r.body, r.created_at) for r in rows]
