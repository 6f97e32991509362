"""The one mapping from Seaway's errors to HTTP problems: `{"error": {"code", "message", "field"}}`.

A refused write (a `PermissionDenied` of anything but a read) is audited here, as `permission.refused`, in
a transaction of its own; a refused read writes nothing.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from seaway.errors import (
    AuthenticationFailed,
    Conflict,
    InvalidInput,
    InvalidJson,
    InvalidTransition,
    NotFound,
    PackageUnavailable,
    PermissionDenied,
    SeawayError,
    TooLarge,
)
from seaway.web import access
from seaway.web.octopus.paths import is_octopus

STATUS: tuple[tuple[type[SeawayError], int], ...] = (
    (AuthenticationFailed, 401),
    (PermissionDenied, 403),
    (NotFound, 404),
    (Conflict, 409),
    (InvalidTransition, 409),
    (InvalidJson, 400),
    (TooLarge, 413),
    (PackageUnavailable, 502),
    (InvalidInput, 422),
)


def status_for(error: SeawayError) -> int:
    for kind, status in STATUS:
        if isinstance(error, kind):
            return status
    return 400


def problem(status: int, code: str, message: str, field: str | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message, "field": field, **extra}
    headers = {"WWW-Authenticate": 'Bearer realm="seaway"'} if status == 401 else None
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def octopus_problem(status: int, message: str, field: str | None = None) -> JSONResponse:
    """`{"ErrorMessage", "Errors", "Field"}`. Octopus's clients print `ErrorMessage` and then each of `Errors`
    on a line of its own, so the message is not repeated there; `Field` names what it is about."""
    body: dict[str, Any] = {"ErrorMessage": message, "Errors": []}
    if field:
        body["Field"] = field
    return JSONResponse(body, status_code=status)


def install(app: FastAPI) -> None:
    @app.exception_handler(SeawayError)
    async def seaway_error(request: Request, exc: SeawayError) -> JSONResponse:
        if isinstance(exc, PermissionDenied) and access.is_write(request):
            await access.record_refusal(request, exc)
        if is_octopus(request):
            status = status_for(exc)
            return octopus_problem(400 if status == 422 else status, exc.message, exc.field)
        return problem(status_for(exc), exc.code, exc.message, exc.field)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        raw_loc = tuple(first.get("loc", ()))
        loc = [str(p) for p in raw_loc if p not in ("body", "query", "path")]
        field = ".".join(loc) or None
        message = str(first.get("msg", "invalid request")).removeprefix("Value error, ")
        if is_octopus(request):
            return octopus_problem(400, message, field)
        if first.get("type") == "json_invalid":
            return problem(400, "invalid_json", "the request body is not valid JSON", "body")
        if raw_loc == ("body",) and first.get("type") == "missing":
            return problem(400, "invalid_json", "the request needs a JSON body", "body")
        return problem(422, "invalid_input", f"{field}: {message}" if field else message, field)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if is_octopus(request):
            return octopus_problem(exc.status_code, str(exc.detail))
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return problem(exc.status_code, code, str(exc.detail))
