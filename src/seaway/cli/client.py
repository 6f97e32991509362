"""The HTTP client the CLI's client commands use (SEAWAY_URL, SEAWAY_API_KEY)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx

from seaway.errors import AuthenticationFailed, RequestRefused, ServerUnavailable


def segment(value: str) -> str:
    return quote(value, safe="")


class SeawayClient:
    def __init__(self, url: str, api_key: str | None, *, timeout: float = 30.0) -> None:
        if not api_key:
            raise AuthenticationFailed("no API key: set SEAWAY_API_KEY")
        self.url = url.rstrip("/")
        self._http = httpx.Client(base_url=f"{self.url}/api/v1", headers={"X-Seaway-ApiKey": api_key}, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ServerUnavailable(f"cannot reach the Seaway server at {self.url}: {exc}") from None
        return self._result(response)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.request("POST", path, **kwargs)

    def pages_of_log(self, task_id: str, page_size: int) -> Iterator[list[dict[str, Any]]]:
        """The task's whole log so far, page by page, each page the lines after the last one seen."""
        after = 0
        while True:
            page = self.get(f"/tasks/{segment(task_id)}/log", params={"after": after, "limit": page_size})
            lines: list[dict[str, Any]] = page["lines"]
            if lines:
                yield lines
            if len(lines) < page_size:
                return
            after = int(page["last_id"])

    def stream_events(self, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """Server-sent events as (event, data) pairs."""
        try:
            with self._http.stream("GET", path, timeout=httpx.Timeout(30.0, read=None)) as response:
                if response.status_code >= 400:
                    response.read()
                    self._result(response)
                event = "message"
                for line in response.iter_lines():
                    if line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:"):
                        yield event, json.loads(line[5:].strip() or "{}")
                    elif not line:
                        event = "message"
        except httpx.HTTPError as exc:
            raise ServerUnavailable(f"lost the connection to {self.url}: {exc}") from None

    @staticmethod
    def _result(response: httpx.Response) -> Any:
        if response.status_code == 204:
            return None
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code < 400:
            return body
        problem = body["error"] if isinstance(body, dict) and isinstance(body.get("error"), dict) else {}
        message = problem.get("message") or f"the server answered {response.status_code}"
        if response.status_code == 401:
            raise AuthenticationFailed(f"authentication failed: {message}")
        if response.status_code >= 500:
            raise ServerUnavailable(f"server error: {message}")
        field = problem.get("field")
        raise RequestRefused(message, status=response.status_code, field=field if isinstance(field, str) else None)
