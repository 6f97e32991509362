"""Liveness (`/health`: the process answers) and readiness (`/ready`: it can do its work now)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from seaway.store.operational import schema_state
from seaway.web.deps import services_of
from seaway.web.errors import problem

router = APIRouter()

NOT_READY: dict[int | str, dict[str, Any]] = {
    503: {
        "description": "Not ready: the database does not answer, its schema is not this version's, or the "
        "server is draining before it stops. `error.code` is `database_unreachable`, `schema_not_current` "
        "or `draining`.",
    }
}


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready", responses=NOT_READY, response_model=None)
async def ready(request: Request) -> dict[str, str] | JSONResponse:
    services = services_of(request)
    if not services.worker.accepting:  # draining before a shutdown
        return problem(503, "draining", "the server is stopping: it finishes its running work and takes no more")
    state = await schema_state(services.database)
    if not state.reachable:
        return problem(503, "database_unreachable", f"the database does not answer: {state.error}")
    if not state.up_to_date:
        current = ", ".join(state.current) or "none (the schema was never created)"
        return problem(
            503,
            "schema_not_current",
            f"the database schema is at revision {current}, this version needs {', '.join(state.head)}: "
            "run `seaway migrate`",
            current=list(state.current),
            head=list(state.head),
        )
    return {"status": "ready"}
