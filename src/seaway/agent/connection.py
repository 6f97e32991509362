"""The agent's HTTPS connection to the server's agent listener. The server's certificate is pinned: the one
given at registration is the only one trusted (its SHA-256 checked first), on every connection, so another
server, or a man in the middle, is refused before the secret is sent."""

from __future__ import annotations

import hashlib
import socket
import ssl
from typing import Any
from urllib.parse import urlsplit

import httpx

from seaway.agent.registrations import Registration
from seaway.domain.agents import AGENT_PROTOCOL_VERSION
from seaway.errors import AuthenticationFailed, CertificateRefused, InvalidInput, ServerUnavailable
from seaway.security.tls import same_thumbprint, thumbprint_of

POLL_SECONDS = 25.0
AGENT_VERSION = f"seaway-agent/{AGENT_PROTOCOL_VERSION}"


def pinned_context(registration: Registration) -> ssl.SSLContext:
    if registration.ca_file:
        return ssl.create_default_context(cafile=registration.ca_file)
    if not same_thumbprint(thumbprint_of(registration.certificate), registration.thumbprint):
        raise InvalidInput(
            f"the certificate kept for {registration.name} does not have the pinned thumbprint "
            f"{registration.thumbprint}; register the agent again",
            field="thumbprint",
        )
    context = ssl.create_default_context(cadata=registration.certificate)
    context.check_hostname = False  # the pinned certificate is the identity, whatever name it carries
    return context


def presented_thumbprint(url: str) -> str:
    """The SHA-256 of the certificate the server at `url` presents, read without trusting it (for the
    message saying why it was refused)."""
    parts = urlsplit(url)
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with (
            socket.create_connection((parts.hostname or "", parts.port or 443), timeout=10) as raw,
            context.wrap_socket(raw) as tls,
        ):
            der = tls.getpeercert(binary_form=True)
    except OSError:
        return "unknown"
    return hashlib.sha256(der or b"").hexdigest()


class AgentConnection:
    def __init__(self, registration: Registration) -> None:
        self.registration = registration
        self._http = httpx.AsyncClient(
            base_url=f"{registration.agent_url.rstrip('/')}/agent/v1",
            verify=pinned_context(registration),
            headers={
                "Authorization": f"Bearer {registration.secret}",
                "X-Seaway-Agent-Version": AGENT_VERSION,
                "X-Seaway-Agent-Host": socket.gethostname(),
            },
            timeout=httpx.Timeout(30, read=POLL_SECONDS + 15),
        )

    async def close(self) -> None:
        await self._http.aclose()

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        url = self.registration.agent_url
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.ConnectError as exc:
            if isinstance(exc.__context__, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(exc):
                presented = presented_thumbprint(url)
                raise CertificateRefused(
                    f"refused the server at {url}: it presented the certificate {presented}, not the pinned "
                    f"{self.registration.thumbprint}"
                ) from None
            raise ServerUnavailable(f"cannot reach the server at {url}: {exc}") from None
        except httpx.HTTPError as exc:
            raise ServerUnavailable(f"lost the connection to the server at {url}: {exc}") from None
        if response.status_code == 401:
            raise AuthenticationFailed(f"the server refused the agent {self.registration.name}: {_message(response)}")
        if response.status_code >= 400:
            raise ServerUnavailable(f"the server answered {response.status_code}: {_message(response)}")
        return response

    async def poll(self, running: list[int]) -> dict[str, Any]:
        params = {"wait": POLL_SECONDS, "running": ",".join(str(i) for i in running)}
        body: dict[str, Any] = (await self.request("GET", "/work", params=params)).json()
        return body

    async def send_lines(self, work_id: int, first: int, lines: list[list[str]]) -> int:
        response = await self.request("POST", f"/work/{work_id}/lines", json={"first": first, "lines": lines})
        return int(response.json()["have"])

    async def content(self, work_id: int) -> bytes:
        return (await self.request("GET", f"/work/{work_id}/content")).content

    async def report(
        self, work_id: int, result: dict[str, Any], first: int = 0, lines: list[list[str]] | None = None
    ) -> None:
        body = {"result": result, "first": first, "lines": lines or []}
        await self.request("POST", f"/work/{work_id}/result", json=body)


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    error = body.get("error") if isinstance(body, dict) else None
    return str(error.get("message")) if isinstance(error, dict) else str(body)[:200]
