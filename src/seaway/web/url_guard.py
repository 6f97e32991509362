"""Refuse a request whose URL carries a NUL character, before any route sees it.

No name, id or query value of Seaway's contains NUL, and PostgreSQL cannot even compare text with one:
a NUL that reached a query would end as a server error instead of a clear refusal.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Receive, Scope, Send

from seaway.web.errors import problem

MESSAGE = "the URL must not contain NUL characters"


class RefuseNulInUrl:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _has_nul(scope):
            await problem(400, "invalid_input", MESSAGE, "url")(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _has_nul(scope: Scope) -> bool:
    path = scope.get("path", "")
    query = scope.get("query_string", b"")
    return "\x00" in path or b"\x00" in query or b"\x00" in unquote_to_bytes(query)
