"""Zendesk Support emulation: tickets, comments and help-center search (`/api/v2`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import AfterValidator, BaseModel, Field

from sandbox.auth import require
from sandbox.errors import ApiError, System, not_found, zendesk_invalid
from sandbox.records import NewTicket, NotFound, Rejected, TicketChanges, TicketRow
from sandbox.search import rank
from sandbox.seed import EMAIL
from sandbox.state import StoreDep

JSON = dict[str, Any]
PREFIX = "/api/v2"

router = APIRouter(prefix=PREFIX, tags=["zendesk"], dependencies=[Depends(require(System.ZENDESK))])

Priority = Literal["low", "normal", "high", "urgent"]
TicketType = Literal["question", "incident", "problem", "task"]
Status = Literal["new", "open", "pending", "hold", "solved", "closed"]


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("cannot be blank")
    return value


def _email(value: str) -> str:
    if not EMAIL.match(value):
        raise ValueError("is not properly formatted")
    return value


NonBlank = Annotated[str, AfterValidator(_not_blank)]


class CommentIn(BaseModel):
    body: Annotated[NonBlank, Field(max_length=65_535)]
    public: bool = True


class RequesterIn(BaseModel):
    name: str | None = None
    email: Annotated[str, AfterValidator(_email)]


class CustomFieldIn(BaseModel):
    id: int
    value: Any = None


class TicketCreate(BaseModel):
    subject: Annotated[NonBlank, Field(max_length=150)]
    comment: CommentIn
    priority: Priority | None = None
    type: TicketType | None = None
    tags: list[str] = []
    external_id: Annotated[str, Field(max_length=255)] | None = None
    custom_fields: list[CustomFieldIn] = []
    requester: RequesterIn | None = None


class TicketUpdate(BaseModel):
    comment: CommentIn | None = None
    status: Status | None = None
    priority: Priority | None = None
    type: TicketType | None = None
    subject: Annotated[NonBlank, Field(max_length=150)] | None = None
    tags: list[str] | None = None
    additional_tags: list[str] | None = None
    custom_fields: list[CustomFieldIn] | None = None


class TicketCreateEnvelope(BaseModel):
    ticket: TicketCreate


class TicketUpdateEnvelope(BaseModel):
    ticket: TicketUpdate


def render_ticket(ticket: TicketRow, request: Request) -> JSON:
    """A ticket in Zendesk's shape, with its API url on this server."""
    base = str(request.base_url).rstrip("/")
    return {
        "id": ticket.id,
        "url": f"{base}{PREFIX}/tickets/{ticket.id}.json",
        "subject": ticket.subject,
        "description": ticket.description,
        "status": ticket.status,
        "priority": ticket.priority,
        "type": ticket.type,
        "tags": ticket.tags,
        "external_id": ticket.external_id,
        "requester_id": ticket.requester_id,
        "custom_fields": ticket.custom_fields,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
    }


def _ticket_id(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 15:
        raise not_found(System.ZENDESK)
    return int(raw)


@router.post("/tickets.json", status_code=201)
async def create_ticket(envelope: TicketCreateEnvelope, request: Request, store: StoreDep) -> JSON:
    """Open a ticket; its comment becomes the description."""
    t = envelope.ticket
    ticket = store.create_ticket(
        NewTicket(
            subject=t.subject,
            body=t.comment.body,
            public=t.comment.public,
            priority=t.priority,
            type=t.type,
            tags=t.tags,
            external_id=t.external_id,
            custom_fields=[f.model_dump() for f in t.custom_fields],
            requester_name=t.requester.name if t.requester else None,
            requester_email=t.requester.email if t.requester else None,
        )
    )
    return {"ticket": render_ticket(ticket, request)}


@router.get("/tickets.json")
async def list_tickets(request: Request, store: StoreDep, external_id: str | None = None) -> JSON:
    """Tickets oldest first, optionally only those with an external_id."""
    tickets = store.list_tickets(external_id)
    return {
        "tickets": [render_ticket(t, request) for t in tickets],
        "count": len(tickets),
        "next_page": None,
        "previous_page": None,
    }


@router.get("/tickets/{ticket_id}.json")
async def get_ticket(ticket_id: str, request: Request, store: StoreDep) -> JSON:
    """One ticket."""
    ticket = store.get_ticket(_ticket_id(ticket_id))
    if ticket is None:
        raise not_found(System.ZENDESK)
    return {"ticket": render_ticket(ticket, request)}


@router.put("/tickets/{ticket_id}.json")
async def update_ticket(
    ticket_id: str, envelope: TicketUpdateEnvelope, request: Request, store: StoreDep
) -> JSON:
    """Update a ticket; a comment in the update is added to the ticket."""
    u = envelope.ticket
    changes = TicketChanges(
        comment_body=u.comment.body if u.comment else None,
        comment_public=u.comment.public if u.comment else True,
        status=u.status,
        priority=u.priority,
        type=u.type,
        subject=u.subject,
        tags=u.tags,
        additional_tags=u.additional_tags,
        custom_fields=[f.model_dump() for f in u.custom_fields] if u.custom_fields is not None else None,
    )
    try:
        ticket = store.update_ticket(_ticket_id(ticket_id), changes)
    except NotFound:
        raise not_found(System.ZENDESK) from None
    except Rejected as exc:
        raise _rejected(exc) from None
    return {"ticket": render_ticket(ticket, request)}


@router.get("/tickets/{ticket_id}/comments.json")
async def list_comments(ticket_id: str, store: StoreDep) -> JSON:
    """A ticket's comments, oldest first."""
    try:
        comments = store.list_comments(_ticket_id(ticket_id))
    except NotFound:
        raise not_found(System.ZENDESK) from None
    return {
        "comments": [
            {"id": c.id, "body": c.body, "public": c.public, "created_at": c.created_at} for c in comments
        ],
        "count": len(comments),
    }


def _article(a: Any, base: str) -> JSON:
    return {
        "id": a.id,
        "title": a.title,
        "body": a.body,
        "label_names": a.tags,
        "html_url": f"{base}/hc/en-us/articles/{a.id}",
    }


@router.get("/help_center/articles.json")
async def list_articles(
    request: Request,
    store: StoreDep,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 30,
) -> JSON:
    """Every article, a page at a time (Zendesk's offset pagination: `next_page` is a URL or null)."""
    articles = store.articles()
    base = str(request.base_url).rstrip("/")
    pages = max(1, -(-len(articles) // per_page))
    chunk = articles[(page - 1) * per_page : page * per_page]
    more = page < pages
    return {
        "articles": [_article(a, base) for a in chunk],
        "page": page,
        "per_page": per_page,
        "page_count": pages,
        "count": len(articles),
        "next_page": f"{base}{PREFIX}/help_center/articles.json?page={page + 1}&per_page={per_page}"
        if more
        else None,
        "previous_page": None
        if page == 1
        else f"{base}{PREFIX}/help_center/articles.json?page={page - 1}&per_page={per_page}",
    }


@router.get("/help_center/articles/search.json")
async def search_articles(
    request: Request, store: StoreDep, query: str | None = None, label_names: str | None = None
) -> JSON:
    """Articles ranked by word overlap with the query (title and labels weigh more)."""
    if query is None or not query.strip():
        raise ApiError(400, {"error": "InvalidSearch", "description": "query is required"})
    labels = label_names.split(",") if label_names else []
    base = str(request.base_url).rstrip("/")
    results = [_article(a, base) for a in rank(store.articles(), query, labels)]
    return {"results": results, "count": len(results)}


def _rejected(exc: Rejected) -> ApiError:
    field = exc.field or "base"
    return zendesk_invalid({field: [f"{field.capitalize()}: {exc.message}"]})
