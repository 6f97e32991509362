"""Which requests are Octopus's: paths under `/api/` outside `/api/v1/`, wherever the server is mounted."""

from __future__ import annotations

from starlette.requests import HTTPConnection


def route_path(request: HTTPConnection) -> str:
    """The path the routes match, without the prefix the server is mounted under (`/octopus/api/...`
    behind a proxy that passes `root_path` is `/api/...`)."""
    path = str(request.scope.get("path", ""))
    root = str(request.scope.get("root_path", ""))
    if root and path.startswith(root + "/"):
        return path[len(root) :]
    return path


def is_octopus(request: HTTPConnection) -> bool:
    path = route_path(request)
    return path.startswith("/api/") and not path.startswith("/api/v1/")
