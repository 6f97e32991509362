"""GET /metrics: the figures after real deployments, the route label, and who may read it; both databases."""

from __future__ import annotations

from datetime import timedelta

import httpx
from prometheus_client.parser import text_string_to_metric_families
from tests.fixtures.approvals import decide, deploy_as, interruption_of, run_all, services_with, space
from tests.fixtures.clock import FakeClock
from tests.fixtures.engine import apply_yaml

from seaway.bootstrap import Services
from seaway.web.app import create_app

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def client(services: Services, **headers: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(services)), base_url="http://seaway.test", headers=headers
    )


def samples_of(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, frozenset(labels.items()))]


async def scrape(services: Services) -> tuple[str, Samples]:
    async with client(services) as http:
        response = await http.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return response.text, samples_of(response.text)


async def test_the_figures_after_a_deployment_that_waited_for_a_decision(db_url, tmp_path):
    clock = FakeClock()
    async with services_with(db_url, tmp_path / "data", clock=clock) as services:
        await apply_yaml(services, space())
        deployment = await deploy_as(services)
        await run_all(services)
        _, waiting = await scrape(services)

        clock.advance(seconds=600)
        await decide(services, await interruption_of(services, deployment), "alice")
        await run_all(services)
        _, done = await scrape(services)

    assert value(waiting, "seaway_tasks", state="waiting") == 1
    assert value(waiting, "seaway_tasks", state="success") == 0
    assert value(waiting, "seaway_approval_wait_seconds_count") == 0
    assert ("seaway_step_duration_seconds_count", frozenset({("step_type", "script")})) not in waiting

    assert value(done, "seaway_tasks", state="success") == 1
    assert value(done, "seaway_tasks", state="waiting") == 0
    assert value(done, "seaway_queue_depth") == 0
    assert value(done, "seaway_queue_oldest_due_age_seconds") == 0
    assert value(done, "seaway_queue_expired_leases") == 0
    # The decision came 600 s after the request: in the 900 s bucket, not in the 300 s one.
    assert value(done, "seaway_approval_wait_seconds_count") == 1
    assert value(done, "seaway_approval_wait_seconds_sum") == 600
    assert value(done, "seaway_approval_wait_seconds_bucket", le="300.0") == 0
    assert value(done, "seaway_approval_wait_seconds_bucket", le="900.0") == 1
    # Build, After and Always ran (On Failure was skipped); the clock stood still while scripts ran.
    assert value(done, "seaway_step_duration_seconds_count", step_type="script") == 3
    assert value(done, "seaway_step_duration_seconds_sum", step_type="script") == 0
    assert value(done, "seaway_step_duration_seconds_count", step_type="manual-intervention") == 1
    assert value(done, "seaway_step_duration_seconds_sum", step_type="manual-intervention") == 600
    assert value(done, "seaway_lease_takeovers_total") == 0
    # The approval emails were kept in the outbox (no SMTP server): none waits, none failed.
    assert value(done, "seaway_email_queue_depth") == 0
    assert value(done, "seaway_email_send_failures") == 0


async def test_the_work_queue_and_the_email_figures(db_url, tmp_path):
    clock = FakeClock()
    async with services_with(db_url, tmp_path / "data", clock=clock) as services:
        now = clock.now()
        async with services.store.transaction() as uow:
            await uow.queue.enqueue("test", "due-long-ago", {}, now - timedelta(seconds=90), wake=False)
            await uow.queue.enqueue("test", "due-now", {}, now, wake=False)
            await uow.queue.enqueue("test", "later", {}, now + timedelta(hours=1), wake=False)
            await uow.queue.enqueue("test", "held", {}, now - timedelta(seconds=300), wake=False)
            await uow.queue.enqueue("test", "abandoned", {}, now - timedelta(seconds=400), wake=False)
        async with services.store.transaction() as uow:
            # "abandoned" first (oldest): claimed by a node whose lease then ran out; "held" has a live lease.
            await uow.queue.claim("dead-node", now - timedelta(seconds=100), timedelta(seconds=10), 1)
            await uow.queue.claim("live-node", now, timedelta(seconds=60), 1, exclude=["abandoned"])
            mail = {"to": ["ops@example.org"], "subject": "s", "text": "t", "html": None, "now": now}
            await uow.emails.add(key="waiting", **mail)
            retrying = await uow.emails.add(key="retrying", **mail)
            failed = await uow.emails.add(key="failed", **mail)
            assert retrying is not None and failed is not None
            await uow.emails.record_attempt(retrying, "421 try again later")
            await uow.emails.mark_failed(failed, "550 no such user")
        _, samples = await scrape(services)

    # Due and free: due-long-ago, due-now and the abandoned one (its lease expired); not later, not held.
    assert value(samples, "seaway_queue_depth") == 3
    assert value(samples, "seaway_queue_oldest_due_age_seconds") == 400
    assert value(samples, "seaway_queue_expired_leases") == 1
    assert value(samples, "seaway_email_queue_depth") == 2
    assert value(samples, "seaway_email_retrying") == 1
    assert value(samples, "seaway_email_send_failures") == 1


async def test_http_latency_is_labelled_by_route_template_not_by_path(services, admin, api):
    known = await api.get("/tasks/ServerTasks-9999")
    unknown = await api.get("/no/such/page-0123")
    stylesheet = await api.get("http://seaway.test/static/seaway.css")
    assert (known.status_code, unknown.status_code, stylesheet.status_code) == (404, 404, 200)
    # The metrics of the app that served those requests (each app has a registry of its own).
    metrics = await api.get("http://seaway.test/metrics")
    text, samples = metrics.text, samples_of(metrics.text)

    labels = {"method": "GET", "route": "/api/v1/tasks/{task_id}", "status": "404"}
    assert value(samples, "seaway_http_request_duration_seconds_count", **labels) == 1
    unmatched = {"method": "GET", "route": "<unmatched>", "status": "404"}
    assert value(samples, "seaway_http_request_duration_seconds_count", **unmatched) == 1
    mounted = {"method": "GET", "route": "/static/{path}", "status": "200"}
    assert value(samples, "seaway_http_request_duration_seconds_count", **mounted) == 1
    assert "ServerTasks-9999" not in text and "page-0123" not in text and "seaway.css" not in text


async def test_another_app_for_the_same_services_has_its_own_http_figures(services, admin, api):
    assert (await api.get("/health")).status_code == 200
    _, fresh = await scrape(services)  # a second create_app: no clash with the first one's registry

    health = {"method": "GET", "route": "/api/v1/health", "status": "200"}
    assert ("seaway_http_request_duration_seconds_count", frozenset(health.items())) not in fresh


async def test_a_metrics_token_is_required_once_set(db_url, tmp_path):
    async with services_with(db_url, tmp_path / "data", metrics_token="s3cret-scraper") as services:
        async with client(services) as anonymous:
            missing = await anonymous.get("/metrics")
        async with client(services, Authorization="Bearer wrong") as wrong:
            refused = await wrong.get("/metrics")
        async with client(services, Authorization="Bearer s3cret-scraper") as scraper:
            allowed = await scraper.get("/metrics")

    assert missing.status_code == 401 and missing.json()["error"]["code"] == "unauthenticated"
    assert refused.status_code == 401
    assert allowed.status_code == 200 and "seaway_tasks" in allowed.text


async def test_metrics_can_be_turned_off(db_url, tmp_path):
    async with services_with(db_url, tmp_path / "data", metrics_enabled=False) as services, client(services) as http:
        response = await http.get("/metrics")
        health = await http.get("/api/v1/health")

    assert response.status_code == 404
    assert health.status_code == 200


async def test_metrics_are_served_without_authentication_by_default(services):
    # No API key, no session cookie: as Prometheus scrapes.
    _, samples = await scrape(services)
    assert value(samples, "seaway_tasks", state="queued") == 0
