"""Who is on the other end of a request: its address, its user agent, and the actor they make together.

The address is the connection's peer as uvicorn reports it: uvicorn takes `X-Forwarded-For` only from the
proxies it trusts (`forwarded_allow_ips`, by default 127.0.0.1). Seaway never reads forwarding headers
itself, so a client cannot choose the address its attempts are limited and audited under.
"""

from __future__ import annotations

from starlette.requests import Request

from seaway.domain.actors import Actor, AuthMethod
from seaway.domain.interruptions import Channel
from seaway.domain.users import User


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def user_agent(request: Request) -> str | None:
    return request.headers.get("user-agent")


def actor_of(request: Request, user: User, channel: Channel, auth: AuthMethod) -> Actor:
    return Actor(user=user, channel=channel, auth=auth, ip=client_ip(request), user_agent=user_agent(request))


def api_actor(request: Request, user: User) -> Actor:
    """The caller of the API, by their API key; the CLI says who it is (`X-Seaway-Client: cli`), so the audit
    log can tell its actions from other API clients'."""
    channel = Channel.CLI if request.headers.get("x-seaway-client") == "cli" else Channel.API
    return actor_of(request, user, channel, AuthMethod.API_KEY)
