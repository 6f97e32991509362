"""`GET /metrics` in the Prometheus text format, and the middleware that times HTTP requests.

Two kinds of figures, told apart in docs/operations.md:
- this process's own: HTTP latency, step durations and lease takeovers (sum them over nodes);
- the database's, read at scrape time: tasks by state, the work queue, emails, approval waits (the same
  on every node that shares the database; take one, or max(), not the sum).

Each app gets a `CollectorRegistry` of its own, never prometheus_client's global one. Unauthenticated by
default, as exporters are; `SEAWAY_METRICS_TOKEN` requires `Authorization: Bearer <token>`, and
`SEAWAY_METRICS_ENABLED=false` removes the route and the middleware.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Iterable
from dataclasses import dataclass

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.metrics_core import GaugeMetricFamily, HistogramMetricFamily, Metric
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from seaway.bootstrap import Services
from seaway.domain.states import TaskState
from seaway.store.emails import EmailState
from seaway.store.operational import OperationalFigures
from seaway.web.deps import services_of
from seaway.web.errors import problem

UNMATCHED_ROUTE = "<unmatched>"  # one label for every path no route knows: no label per probed URL
APPROVAL_WAIT_BUCKETS = (60.0, 300.0, 900.0, 1800.0, 3600.0, 3 * 3600.0, 8 * 3600.0, 86400.0, 3 * 86400.0, 7 * 86400.0)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def install(app: FastAPI, services: Services) -> None:
    settings = services.settings
    if not settings.metrics_enabled:
        return
    registry = CollectorRegistry()
    registry.register(services.metrics)
    latency = Histogram(
        "seaway_http_request_duration_seconds",
        "Time from a request's arrival to the end of its response, by route template.",
        ["method", "route", "status"],
        registry=registry,
    )
    app.add_middleware(RequestTiming, histogram=latency)
    token = settings.metrics_token

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        if token is not None and not _bearer_matches(request, token):
            return problem(401, "unauthenticated", "/metrics needs `Authorization: Bearer <SEAWAY_METRICS_TOKEN>`")
        figures = await read_database_figures(services_of(request))
        body = generate_latest(registry) + generate_latest(figures)
        return Response(body, media_type=CONTENT_TYPE_LATEST)


def _bearer_matches(request: Request, token: str) -> bool:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


@dataclass(frozen=True)
class Families:
    """Metric families built for one scrape (a collector, as `generate_latest` takes)."""

    families: tuple[Metric, ...]

    def collect(self) -> Iterable[Metric]:
        return self.families


async def read_database_figures(services: Services) -> Families:
    now = services.clock.now()
    async with services.store.reading() as uow:
        figures = OperationalFigures(uow.conn, uow.cipher)
        tasks = await figures.tasks_by_state()
        queue = await figures.work_queue(now)
        emails = await figures.emails()
        waits = await figures.approval_waits()

    by_state = GaugeMetricFamily("seaway_tasks", "Tasks by state, in the whole database.", labels=["state"])
    for state in TaskState:  # every state, zeros too: a series that vanishes is harder to alert on
        by_state.add_metric([state.value], tasks.get(state.value, 0))
    depth = GaugeMetricFamily("seaway_queue_depth", "Work items due now that no node holds (waiting for a worker).")
    depth.add_metric([], queue.due)
    oldest = GaugeMetricFamily(
        "seaway_queue_oldest_due_age_seconds", "How long the longest-waiting due work item has been due (0: none)."
    )
    oldest.add_metric([], max((now - queue.oldest_due_at).total_seconds(), 0.0) if queue.oldest_due_at else 0.0)
    expired = GaugeMetricFamily(
        "seaway_queue_expired_leases", "Work items still held under a lease that expired (their node died or stalled)."
    )
    expired.add_metric([], queue.expired_leases)
    email_queue = GaugeMetricFamily("seaway_email_queue_depth", "Emails waiting to be sent.")
    email_queue.add_metric([], emails.by_state.get(EmailState.QUEUED.value, 0))
    email_failed = GaugeMetricFamily(
        "seaway_email_send_failures", "Emails given up on: refused by the SMTP server, or undeliverable for a day."
    )
    email_failed.add_metric([], emails.by_state.get(EmailState.FAILED.value, 0))
    email_retrying = GaugeMetricFamily(
        "seaway_email_retrying", "Queued emails whose last delivery attempt failed (to be tried again)."
    )
    email_retrying.add_metric([], emails.retrying)
    return Families(
        (by_state, depth, oldest, expired, email_queue, email_failed, email_retrying, _approval_waits(waits))
    )


def _approval_waits(waits: list[float]) -> HistogramMetricFamily:
    cumulative: list[tuple[str, float]] = []
    for bound in APPROVAL_WAIT_BUCKETS:
        cumulative.append((str(bound), float(sum(1 for w in waits if w <= bound))))
    cumulative.append(("+Inf", float(len(waits))))
    return HistogramMetricFamily(
        "seaway_approval_wait_seconds",
        "Time from a manual intervention's request to its decision, over every decided one in the database.",
        buckets=cumulative,
        sum_value=sum(waits),
    )


def route_template(scope: Scope) -> str:
    """The matched route's path template, with the prefix of the router it was included under.

    FastAPI (≥ 0.16x) keeps an included router's routes relative to that router and leaves the route's
    full template in its own part of the scope; Starlette's routes carry it themselves.
    """
    fastapi_scope = scope.get("fastapi")
    effective = fastapi_scope.get("effective_route_context") if isinstance(fastapi_scope, dict) else None
    template = getattr(effective, "path_format", None) or getattr(scope.get("route"), "path_format", None)
    if isinstance(template, str) and template:
        return template
    # A mount (the stylesheet) leaves no route, but moves the root path on by its own path.
    mount = str(scope.get("root_path", "")).removeprefix(str(scope.get("app_root_path", "")))
    return f"{mount}/{{path}}" if mount and "endpoint" in scope else UNMATCHED_ROUTE


class RequestTiming:
    """Pure ASGI: times each HTTP request and labels it with the route's template (`/api/v1/tasks/{task_id}`),
    which the router leaves in the scope once it has matched."""

    def __init__(self, app: ASGIApp, histogram: Histogram) -> None:
        self.app = app
        self.histogram = histogram

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets when the app raises before it starts a response

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_status)
        finally:
            route = route_template(scope)
            method = scope["method"] if scope["method"] in METHODS else "other"
            self.histogram.labels(method=method, route=route, status=str(status)).observe(time.perf_counter() - started)
