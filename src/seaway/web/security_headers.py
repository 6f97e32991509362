"""Security headers on every browser page (everything outside the JSON API).

The approval-link pages carry a secret in their URL and decide deployments with one click, so:
- `Referrer-Policy: no-referrer` keeps the token out of the Referer header of any link followed;
- `Cache-Control: no-store` keeps the page (and its form token) out of shared and browser caches;
- `X-Frame-Options: DENY` and `frame-ancestors 'none'` stop another site framing the page to steal
  the click (clickjacking);
- the content security policy allows only Seaway's own stylesheet and forms posting back to Seaway, and no
  third-party asset at all; on the approval-link pages no script of any kind can run, and the signed-in
  pages may run only Seaway's own scripts from /static (never an inline one, so nothing injected into a
  page can run) and fetch only from Seaway.

The signed-in pages (everything but the link and sign-in pages) may also run Seaway's own scripts from
`/static` (never inline), fetch from Seaway (the live log's event stream) and frame Seaway (the outbox's
emails). An email shown in the outbox is served with a policy of its own: nothing but its inline styles,
sandboxed even when opened on its own, and framed only by Seaway.

A plain ASGI middleware rather than a per-route helper, so that error pages, 404s and 405s on these
paths carry the headers too.
"""

from __future__ import annotations

import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

APP_PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; frame-src 'self'; "
    "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# An email's links may only take the top window to the link pages (on a click); it runs nothing.
EMAIL_SANDBOX = "allow-top-navigation-by-user-activation allow-popups allow-popups-to-escape-sandbox"
EMAIL_FRAME_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; "
    f"frame-ancestors 'self'; base-uri 'none'; sandbox {EMAIL_SANDBOX}"
)

PAGE_HEADERS: dict[str, str] = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
}

APP_PAGE_HEADERS = PAGE_HEADERS | {"Content-Security-Policy": APP_PAGE_POLICY}
EMAIL_FRAME_HEADERS = PAGE_HEADERS | {"X-Frame-Options": "SAMEORIGIN", "Content-Security-Policy": EMAIL_FRAME_POLICY}

# The stylesheet carries no secret and may be cached; it still must never be sniffed as something else.
STATIC_HEADERS: dict[str, str] = {"X-Content-Type-Options": "nosniff"}

# The JSON API and its interactive documentation are not browser pages of this kind.
API_PREFIX = "/api/"
STATIC_PREFIX = "/static/"
# Where a secret sits in the URL (links) or is typed (sign-in, one's password): no script at all, not even
# Seaway's own.
NO_SCRIPT_PREFIXES = ("/links/", "/signin", "/account")
EMAIL_FRAME_PATH = re.compile(r"^/outbox/[^/]+/html$")


def headers_for(path: str) -> dict[str, str]:
    if path.startswith(API_PREFIX):
        return {}
    if path.startswith(STATIC_PREFIX):
        return STATIC_HEADERS
    if path.startswith(NO_SCRIPT_PREFIXES):
        return PAGE_HEADERS
    if EMAIL_FRAME_PATH.match(path):
        return EMAIL_FRAME_HEADERS
    return APP_PAGE_HEADERS


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = headers_for(scope.get("path", ""))
        if not extra:
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    headers[name] = value  # replaces any weaker value a handler set
            await send(message)

        await self.app(scope, receive, send_with_headers)
