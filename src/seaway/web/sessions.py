"""Browser sessions and cross-site request forgery (CSRF) defences for Seaway's pages.

- The session cookie `seaway_session` carries a random token; the database keeps only its hash. It is
  `HttpOnly` (no script can read it), `SameSite=Lax` (not sent on cross-site POSTs), `Secure` when the
  public URL is https, and scoped to the whole site.
- Every form a signed-in browser posts carries the session's own CSRF token.
- The sign-in form is posted before any session exists, so it carries a token sealed with the master
  key (authenticated encryption: it cannot be forged or altered without the key) that names a random
  nonce also held in a short-lived cookie: a signed double-submit token. It works on every node that
  shares the master key, without a row per visitor.
- Every POST whose `Origin` is not the public URL's origin is refused, as is one a browser marks as
  cross-site.
- A session ends after `SEAWAY_SESSION_HOURS` however busy (the absolute limit), after
  `SEAWAY_SESSION_IDLE_MINUTES` without a request (the idle limit), and at once when its user is disabled.
  Its last use is written at most once a minute, so a page view is not a write each time.

Links and redirects are built from `SEAWAY_PUBLIC_URL`, never from the request's Host header, which a
client chooses.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote, urlsplit

from starlette.requests import Request
from starlette.responses import Response

from seaway.domain.sign_in import LockoutPolicy
from seaway.domain.users import User
from seaway.engine.clock import Clock
from seaway.errors import SeawayError
from seaway.security.secrets import MasterKey
from seaway.security.tokens import hash_token, new_token, tokens_equal
from seaway.settings import Settings
from seaway.store.codecs import Cipher
from seaway.store.sessions import BrowserSession
from seaway.store.unit_of_work import Store, UnitOfWork

SESSION_COOKIE = "seaway_session"
SIGNIN_COOKIE = "seaway_signin"
CSRF_FIELD = "csrf_token"
SIGNIN_PATH = "/signin"
_SIGNIN_PURPOSE = "seaway-signin-csrf"
SIGNIN_FORM_LIFETIME = timedelta(hours=2)
# Real tokens are 43 characters; anything much longer is not worth hashing.
_MAX_COOKIE_TOKEN = 128
_DEFAULT_PORTS = {"http": 80, "https": 443}
LAST_USE_PRECISION = timedelta(minutes=1)


class PublicUrl:
    """The configured public base URL: the origin POSTs must come from, and the base of every link."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url.strip())
        if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
            raise ValueError(f"the public URL {url!r} is not an http(s) URL")
        self.base = url.strip().rstrip("/")
        self.secure = parts.scheme == "https"
        self.origin = _origin(parts.scheme, parts.hostname, parts.port)

    def url(self, path: str) -> str:
        """An absolute URL for a local path such as `/links/abc` (which must start with one slash)."""
        return self.base + path

    def signin_url(self, next_path: str | None = None) -> str:
        if not next_path:
            return self.url(SIGNIN_PATH)
        return self.url(f"{SIGNIN_PATH}?next={quote(next_path, safe='/')}")

    def is_cross_origin(self, request: Request) -> bool:
        """True for a POST a browser made from another site. Clients that send no Origin (curl, scripts)
        are not browsers acting for a user on another site, so they pass; the form token still applies.

        Our pages send `Referrer-Policy: no-referrer`, under which browsers post their own forms with
        `Origin: null`; Fetch Metadata (`Sec-Fetch-Site`, which that policy does not touch) then tells a
        same-origin form from another site's, including a sandboxed frame's (also `null`).
        """
        origin = request.headers.get("origin")
        fetch_site = request.headers.get("sec-fetch-site", "").strip().lower()
        if origin is not None and origin.strip().lower() != "null":
            return _normalise_origin(origin) != self.origin
        if origin is not None and not fetch_site:
            return True  # an opaque origin with nothing to vouch for it
        return fetch_site in ("cross-site", "same-site")


def _origin(scheme: str, host: str, port: int | None) -> str:
    host = host.lower()
    if ":" in host:  # an IPv6 literal keeps its brackets in an origin
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def _normalise_origin(value: str) -> str | None:
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None  # includes the opaque origin "null" (sandboxed frames, some redirects)
    return _origin(parts.scheme, parts.hostname, port)


def is_local_path(target: str | None) -> bool:
    """True for a path on this site (`/links/x`); false for anything that could leave it.

    `//host` and `/\\host` are read by browsers as another host; control characters could split a header.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    return "\\" not in target and not any(ord(c) < 0x20 or ord(c) == 0x7F for c in target)


def lockout_policy(settings: Settings) -> LockoutPolicy:
    """`SEAWAY_SIGNIN_LOCKOUT_FAILURES` failed passwords within `SEAWAY_SIGNIN_LOCKOUT_MINUTES` lock an account."""
    return LockoutPolicy(settings.signin_lockout_failures, timedelta(minutes=settings.signin_lockout_minutes))


@dataclass(frozen=True)
class SignedIn:
    user: User
    session: BrowserSession
    token_hash: str


class Sessions:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        cipher: Cipher,
        public_url: PublicUrl,
        hours: float,
        *,
        idle_minutes: float = 60.0,
    ) -> None:
        self.store = store
        self.clock = clock
        self.cipher = cipher
        self.public_url = public_url
        self.lifetime = timedelta(hours=hours)
        self.idle_limit = timedelta(minutes=idle_minutes)

    # -- the session cookie -------------------------------------------------------------------------------

    async def current(self, request: Request) -> SignedIn | None:
        """The signed-in user of this request, if its cookie names a live session of an active user."""
        token = request.cookies.get(SESSION_COOKIE)
        if not token or len(token) > _MAX_COOKIE_TOKEN:
            return None
        token_hash = hash_token(token)
        now = self.clock.now()
        async with self.store.reading() as uow:
            session = await uow.sessions.find_by_hash(token_hash, now)
            user = await uow.users.get(session.user_id) if session else None
        if session is None or user is None or not user.active or user.service_account:
            return None
        if now - session.last_active >= self.idle_limit:
            return None
        if now - session.last_active >= LAST_USE_PRECISION:
            async with self.store.transaction() as uow:
                await uow.sessions.record_use(session.id, now, stale=now - LAST_USE_PRECISION)
        return SignedIn(user, session, token_hash)

    async def start(
        self, uow: UnitOfWork, user: User, *, now: datetime, ip: str | None, user_agent: str | None
    ) -> tuple[str, BrowserSession]:
        """A new session for `user`: returns the cookie token (shown to the browser once) and the row."""
        assert user.id is not None
        token = new_token()
        session = await uow.sessions.add(
            token_hash=hash_token(token),
            user_id=user.id,
            csrf_token=new_token(),
            now=now,
            expires_at=now + self.lifetime,
            ip=ip,
            user_agent=user_agent,
        )
        return token, session

    async def end(self, request: Request) -> None:
        async with self.store.transaction() as uow:
            await self.end_in(uow, request)

    @staticmethod
    async def end_in(uow: UnitOfWork, request: Request) -> None:
        """End the session the request's cookie names, if any, in the caller's transaction."""
        token = request.cookies.get(SESSION_COOKIE)
        if token and len(token) <= _MAX_COOKIE_TOKEN:
            await uow.sessions.delete(hash_token(token))

    def set_cookie(self, response: Response, token: str) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=int(self.lifetime.total_seconds()),
            path="/",
            secure=self.public_url.secure,
            httponly=True,
            samesite="lax",
        )

    def clear_cookie(self, response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, path="/", secure=self.public_url.secure, httponly=True, samesite="lax")

    # -- CSRF tokens ---------------------------------------------------------------------------------------

    @staticmethod
    def session_csrf_ok(signed_in: SignedIn, submitted: str | None) -> bool:
        return bool(submitted) and tokens_equal(signed_in.session.csrf_token, submitted or "")

    def signin_form_token(self, request: Request) -> tuple[str, str | None]:
        """The sign-in form's CSRF token, and a new nonce to set as a cookie when the browser has none."""
        nonce = request.cookies.get(SIGNIN_COOKIE)
        new_nonce = None
        if not nonce or len(nonce) > _MAX_COOKIE_TOKEN:
            nonce = new_nonce = secrets.token_urlsafe(24)
        expires = self.clock.now() + SIGNIN_FORM_LIFETIME
        return self.cipher.encrypt(f"{_SIGNIN_PURPOSE}|{nonce}|{expires.isoformat()}"), new_nonce

    def signin_form_ok(self, request: Request, submitted: str | None) -> bool:
        nonce = request.cookies.get(SIGNIN_COOKIE)
        if not nonce or not submitted or len(submitted) > 1000:
            return False
        if not MasterKey.is_encrypted(submitted):  # a cipher that passes plaintext through must not be fooled
            return False
        try:
            purpose, sealed_nonce, expires = self.cipher.decrypt(submitted).split("|")
            fresh = datetime.fromisoformat(expires) > self.clock.now()
        except (SeawayError, ValueError):
            return False  # not sealed with this key, altered, or not a sign-in token at all
        return purpose == _SIGNIN_PURPOSE and fresh and tokens_equal(sealed_nonce, nonce)

    def set_signin_cookie(self, response: Response, nonce: str) -> None:
        response.set_cookie(
            SIGNIN_COOKIE,
            nonce,
            max_age=int(SIGNIN_FORM_LIFETIME.total_seconds()),
            path=SIGNIN_PATH,
            secure=self.public_url.secure,
            httponly=True,
            samesite="lax",
        )
