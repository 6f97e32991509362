"""What polling agents talk to: the agent listener's own HTTPS application (`SEAWAY_AGENT_PORT`), apart
from the API, so that a firewall may open it alone. Every request carries the agent's registration secret
(`Authorization: Bearer SWA-…`); an unknown one (revoked, target deleted) or a disabled target is a 401.

    GET  /agent/v1/work?wait=S&running=1,2   long poll: {work: [{id, kind, payload}], cancel: [ids]}
    POST /agent/v1/work/{id}/lines           {first, lines: [[level, text], ...]} → {have}
    GET  /agent/v1/work/{id}/content         the file of an upload (a gzipped tar)
    POST /agent/v1/work/{id}/result          {result, first, lines}: the result (a download's file as base64
                                             `content`) and the lines not sent yet
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from pydantic import Field

from seaway.bootstrap import Services
from seaway.domain.agents import AgentRegistration
from seaway.engine.agent_work import AgentWork
from seaway.engine.agents import authenticate_agent
from seaway.errors import AuthenticationFailed
from seaway.web import errors
from seaway.web.api.bodies import Body
from seaway.web.deps import services_of

MAX_WAIT_SECONDS = 30.0
router = APIRouter(prefix="/agent/v1")


async def _agent(request: Request) -> AgentRegistration:
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret:
        raise AuthenticationFailed("an agent authenticates with `Authorization: Bearer <its registration secret>`")
    registration, _ = await authenticate_agent(services_of(request).store, secret.strip())
    return registration


Agent = Annotated[AgentRegistration, Depends(_agent)]


def _work(request: Request) -> AgentWork:
    agents = services_of(request).agents
    assert agents is not None
    return agents


class LinesBody(Body):
    first: int = Field(ge=0)
    lines: list[tuple[str, str]] = Field(max_length=10_000)


@router.get("/work")
async def poll(
    request: Request,
    agent: Agent,
    wait: Annotated[float, Query(ge=0, le=MAX_WAIT_SECONDS)] = 25.0,
    running: str = "",
) -> dict[str, Any]:
    ids = {int(part) for part in running.split(",") if part.strip().isdigit()}
    handout = await _work(request).hand_out(
        agent,
        ids,
        wait=wait,
        version=request.headers.get("x-seaway-agent-version", ""),
        hostname=request.headers.get("x-seaway-agent-host", ""),
    )
    return {
        "work": [
            {"id": item.id, "kind": str(item.kind), "payload": item.payload, "resumed": item.resumed}
            for item in handout.work
        ],
        "cancel": handout.cancel,
    }


@router.post("/work/{work_id}/lines")
async def lines(request: Request, agent: Agent, work_id: int, body: LinesBody) -> dict[str, Any]:
    have = await _work(request).take_lines(agent.target_id, work_id, body.first, body.lines)
    return {"have": have}


@router.get("/work/{work_id}/content")
async def content(request: Request, agent: Agent, work_id: int) -> Response:
    data = await _work(request).content_for(agent.target_id, work_id)
    return Response(data, media_type="application/gzip")


class ResultBody(Body):
    result: dict[str, Any]
    first: int = Field(0, ge=0)
    lines: list[tuple[str, str]] = Field(default_factory=list, max_length=10_000)


@router.post("/work/{work_id}/result", status_code=204)
async def result(request: Request, agent: Agent, work_id: int, body: ResultBody) -> None:
    """The result, with the lines not sent yet."""
    await _work(request).take_result(agent.target_id, work_id, body.result, (body.first, body.lines))


def create_agent_app(services: Services) -> FastAPI:
    app = FastAPI(title="Seaway agent listener", openapi_url=None, docs_url=None, redoc_url=None)
    app.state.services = services
    errors.install(app)
    app.include_router(router)
    return app
