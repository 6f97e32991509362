"""Releases take package versions: the latest by SemVer unless told, within their channel's rules, from the
built-in feed or an external NuGet feed (downloaded once and hash-checked); a newer push can create one."""

from __future__ import annotations

import hashlib

import pytest
from tests.fixtures.engine import SIMPLE_SPACE, apply_yaml
from tests.fixtures.package_files import zip_bytes

# The lifecycles of SIMPLE_SPACE, and one whose first phase deploys by itself.
LIFECYCLES = (
    SIMPLE_SPACE
    + """
  - name: Straight to Dev
    phases:
      - {name: Dev, environments: [Dev], automatic: true}
      - {name: Test, environments: [Test]}
"""
)
SPACE = (
    LIFECYCLES
    + """
projects:
  - name: Quotes
    lifecycle: Dev, Test, and Prod
    channels:
      - name: Stable
        rules: [{step: Deploy, versions: "[1.0,2.0)", tag: "^$"}]
    process:
      - {name: Deploy, type: deploy-package, package: {id: RandomQuotes}}
      - {name: Tools, type: deploy-package, package: {id: Quotes.Tools}}
"""
)


async def push(api, name: str, files=None):
    data = zip_bytes(files or {"app.txt": name.encode()})
    response = await api.post("/packages", files={"file": (name, data, "application/zip")})
    assert response.status_code == 201, response.text
    return response.json()


async def packages_of(api, body: dict) -> dict[str, str]:
    response = await api.post("/projects/Quotes/releases", json=body)
    assert response.status_code == 201, response.text
    return {p["step"]: p["version"] for p in response.json()["packages"]}


@pytest.fixture
async def feed(api, services):
    await apply_yaml(services, SPACE)
    for version in ("1.0.9", "1.0.10", "1.5.0", "1.6.0-beta.2", "2.0.0"):
        await push(api, f"RandomQuotes.{version}.zip")
    await push(api, "Quotes.Tools.0.3.0.zip")
    return api


async def test_each_step_takes_the_latest_version_by_semver_unless_told(feed):
    assert await packages_of(feed, {}) == {"Deploy": "2.0.0", "Tools": "0.3.0"}
    assert await packages_of(feed, {"packages": {"Deploy": "1.0.9"}}) == {"Deploy": "1.0.9", "Tools": "0.3.0"}
    assert await packages_of(feed, {"packages": {"randomquotes": "1.0.10"}}) == {"Deploy": "1.0.10", "Tools": "0.3.0"}


async def test_the_release_records_the_exact_file(feed):
    response = await feed.post("/projects/Quotes/releases", json={"packages": {"Deploy": "1.5.0"}})
    deploy = next(p for p in response.json()["packages"] if p["step"] == "Deploy")
    pushed = (await feed.get("/packages/RandomQuotes/1.5.0")).json()
    assert deploy == {
        "step": "Deploy",
        "package_id": "RandomQuotes",
        "version": "1.5.0",
        "feed": "builtin",
        "sha256": pushed["sha256"],
    }


async def test_a_channel_keeps_pre_releases_and_other_ranges_out(feed):
    assert (await packages_of(feed, {"channel": "Stable"}))["Deploy"] == "1.5.0"
    refused = await feed.post(
        "/projects/Quotes/releases", json={"channel": "Stable", "packages": {"Deploy": "1.6.0-beta.2"}}
    )
    unknown = await feed.post("/projects/Quotes/releases", json={"channel": "Nightly"})

    assert refused.status_code == 422
    assert 'outside channel "Stable"' in refused.json()["error"]["message"]
    assert refused.json()["error"]["field"] == "packages.Deploy"
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "channel"
    created = await feed.get("/projects/Quotes/releases")
    assert [r["channel"] for r in created.json()] == ["Stable"]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"packages": {"Deploy": "9.9.9"}}, "packages.Deploy", 'has no version 9.9.9 of package "RandomQuotes"'),
        ({"packages": {"Nothing": "1.0.0"}}, "packages.Nothing", 'no step or package "Nothing"'),
    ],
)
async def test_a_missing_package_names_the_step_and_the_package_and_creates_nothing(feed, body, field, message):
    response = await feed.post("/projects/Quotes/releases", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field and message in response.json()["error"]["message"]
    assert (await feed.get("/projects/Quotes/releases")).json() == []


async def test_a_project_without_its_package_in_the_feed_cannot_release(api, services):
    await apply_yaml(services, SPACE)
    response = await api.post("/projects/Quotes/releases", json={})
    assert response.status_code == 422
    assert (
        'step "Deploy": the built-in feed has no version of package "RandomQuotes"'
        in response.json()["error"]["message"]
    )


RELEASE_ON_PUSH = (
    LIFECYCLES
    + """
projects:
  - name: Quotes
    lifecycle: Straight to Dev
    release_on_push: {step: Deploy}
    process:
      - {name: Deploy, type: deploy-package, package: {id: RandomQuotes}}
"""
)


async def test_pushing_a_newer_version_creates_a_release_and_deploys_it_to_an_automatic_phase(api, services):
    await apply_yaml(services, RELEASE_ON_PUSH)

    first = await push(api, "RandomQuotes.1.0.1.zip")
    older = await push(api, "RandomQuotes.1.0.0.zip")

    assert len(first["releases_created"]) == 1 and older["releases_created"] == []
    release = (await api.get(f"/releases/{first['releases_created'][0]}")).json()
    assert [(p["step"], p["version"]) for p in release["packages"]] == [("Deploy", "1.0.1")]
    deployments = (await api.get(f"/releases/{release['id']}/deployments")).json()
    assert [d["environment"] for d in deployments] == ["Dev"]
    actions = [e["action"] for e in (await api.get("/audit-events")).json()["items"]]
    assert {"package.pushed", "release.created", "deployment.created"} <= set(actions)


EXTERNAL = (
    SIMPLE_SPACE
    + """
projects:
  - name: Quotes
    process:
      - {name: Deploy, type: deploy-package, package: {id: RandomQuotes, feed: Artifactory}}
"""
)


def feeds_yaml(feed, password: str) -> str:
    return f"""
feeds:
  - {{name: Artifactory, type: nuget, url: "{feed.url}", username: {feed.as_feed().username}, password: "{password}"}}
"""


async def test_a_release_takes_an_external_nuget_package_downloaded_once_with_its_hash(api, services, nuget_feed):
    nupkg = nuget_feed.add_package("RandomQuotes", "1.2.0", {"app.txt": b"v1.2"})
    nuget_feed.add_package("RandomQuotes", "1.10.0", {"app.txt": b"v1.10"})
    newest = nuget_feed.add_package("RandomQuotes", "1.11.0", {"app.txt": b"v1.11"})
    await apply_yaml(services, feeds_yaml(nuget_feed, nuget_feed.as_feed().password) + EXTERNAL)

    latest = await api.post("/projects/Quotes/releases", json={})
    pinned = await api.post("/projects/Quotes/releases", json={"packages": {"Deploy": "1.2.0"}})

    assert latest.status_code == 201, latest.text
    assert latest.json()["packages"][0] | {} == {
        "step": "Deploy",
        "package_id": "RandomQuotes",
        "version": "1.11.0",
        "feed": "Artifactory",
        "sha256": hashlib.sha256(newest).hexdigest(),
    }
    assert pinned.json()["packages"][0]["sha256"] == hashlib.sha256(nupkg).hexdigest()
    assert services.package_sources.cache.verify(hashlib.sha256(newest).hexdigest()) is not None


async def test_a_feed_that_refuses_the_credentials_is_an_error_naming_the_feed(api, services, nuget_feed):
    nuget_feed.add_package("RandomQuotes", "1.2.0", {"app.txt": b"v1.2"})
    await apply_yaml(services, feeds_yaml(nuget_feed, "wrong") + EXTERNAL)

    response = await api.post("/projects/Quotes/releases", json={})

    assert response.status_code == 502
    assert 'feed "Artifactory" refused the credentials (HTTP 401)' in response.json()["error"]["message"]
    assert (await api.get("/projects/Quotes/releases")).json() == []


async def test_a_feed_password_is_stored_encrypted_and_never_listed(api, services, nuget_feed):
    await apply_yaml(services, feeds_yaml(nuget_feed, "pa55word-of-the-feed") + EXTERNAL)
    import sqlalchemy as sa

    from seaway.store.tables import feeds

    async with services.store.reading() as uow:
        stored = (await uow.conn.execute(sa.select(feeds.c.password))).scalar_one()
    listed = (await api.get("/feeds")).json()

    assert "pa55word" not in stored
    assert [f["name"] for f in listed] == ["Built-in", "Artifactory"] and "pa55word" not in str(listed)


HOTFIX = (
    SIMPLE_SPACE
    + """
  - name: Hotfix
    phases:
      - {name: Prod, environments: [Prod]}
projects:
  - name: Quotes
    lifecycle: Dev, Test, and Prod
    channels:
      - {name: Hotfix, lifecycle: Hotfix}
    process:
      - {name: Deploy, type: deploy-package, package: {id: RandomQuotes}}
"""
)


async def test_a_release_follows_its_channels_lifecycle(api, services):
    await apply_yaml(services, HOTFIX)
    await push(api, "RandomQuotes.1.0.0.zip")
    normal = (await api.post("/projects/Quotes/releases", json={})).json()
    hotfix = (await api.post("/projects/Quotes/releases", json={"channel": "hotfix"})).json()

    refused = await api.post(f"/releases/{normal['id']}/deployments", json={"environment": "Prod"})
    allowed = await api.post(f"/releases/{hotfix['id']}/deployments", json={"environment": "Prod"})

    assert hotfix["channel"] == "Hotfix"
    assert refused.status_code == 422 and "requires phase" in refused.json()["error"]["message"]
    assert allowed.status_code == 201, allowed.text


TWO_PROJECTS_ON_PUSH = (
    RELEASE_ON_PUSH
    + """
  - name: Broken
    release_on_push: {step: Deploy}
    process:
      - {name: Deploy, type: deploy-package, package: {id: RandomQuotes}}
      - {name: Tools, type: deploy-package, package: {id: Never.Pushed}}
"""
)


async def test_a_project_that_cannot_release_on_push_neither_stops_the_push_nor_the_others(api, services):
    await apply_yaml(services, TWO_PROJECTS_ON_PUSH)

    pushed = await push(api, "RandomQuotes.1.0.0.zip")

    assert len(pushed["releases_created"]) == 1
    assert len(pushed["release_problems"]) == 1
    assert 'project "Broken" could not release RandomQuotes 1.0.0' in pushed["release_problems"][0]
    assert "Never.Pushed" in pushed["release_problems"][0]
    assert [p["version"] for p in (await api.get("/packages")).json()] == ["1.0.0"]
    assert (await api.get("/projects/Broken/releases")).json() == []


NAMES_CROSS = (
    SIMPLE_SPACE
    + """
projects:
  - name: Quotes
    process:
      - {name: Tools, type: deploy-package, package: {id: Quotes.Tools}}
      - {name: Deploy, type: deploy-package, package: {id: Tools}}
"""
)


async def test_a_version_asked_for_by_step_name_never_pins_a_package_of_that_id(api, services):
    await apply_yaml(services, NAMES_CROSS)
    for name in ("Quotes.Tools.1.0.0.zip", "Quotes.Tools.2.0.0.zip", "Tools.5.0.0.zip", "Tools.6.0.0.zip"):
        await push(api, name)

    assert await packages_of(api, {"packages": {"Tools": "1.0.0"}}) == {"Tools": "1.0.0", "Deploy": "6.0.0"}
