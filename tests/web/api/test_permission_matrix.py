"""The permission matrix: every operation of the OpenAPI document × every built-in role × within the role's
scope, outside it and unscoped, with the expected allow or deny computed from `permission_table` and the
role's permissions.

One seeded space per database for the whole module. Each user is in one team with one role: scoped to the
projects Alpha and Spare and the environments Dev and Spare ("in"), to Beta and Test ("out"), or to
everything ("everywhere"). Every operation is called on objects of Alpha in Dev (the Spare project,
environment, lifecycle, team and user for deletes, put back after each one that succeeds).

Requests are chosen so that an allowed write passes the checks and is then refused by the engine, or changes
nothing: a name that is taken (409), a release already made (409), a deployment that lacks a required prompted
variable (422), a finished task (409), a decided interruption (409), a PUT of what is already there. Verdicts:
a 404 or a `forbidden` 403 is denied; anything else (2xx, 409, 422, a `not_responsible` 403) got past the
checks. A filtered list is allowed when the seeded object is in it and denied when it is not.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from tests.fixtures.databases import truncate_all
from tests.fixtures.engine import apply_yaml, make_settings
from tests.fixtures.package_files import zip_bytes
from tests.fixtures.targets import MachineProbe, fingerprint_of

from seaway.bootstrap import Services, build_services
from seaway.domain.change_requests import ChangeRequest, ChangeRequestState
from seaway.domain.grants import Grant
from seaway.domain.ids import format_id
from seaway.domain.interruptions import Interruption, InterruptionKind, Result
from seaway.domain.permissions import grant_allows
from seaway.domain.policies import MergedPolicy
from seaway.domain.roles import BUILTIN_ROLES
from seaway.domain.states import TaskState
from seaway.domain.users import Team, TeamRole, User
from seaway.security.tokens import hash_token, new_api_key
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.api.permission_table import OPERATIONS, Rule, ScopeSource, markdown_table, operation_key
from seaway.web.app import API_PREFIX, create_app

in_module_loop = pytest.mark.asyncio(loop_scope="module")  # the loop the module's space lives on

SPACE = """
environments: [Dev, Test, Prod, Spare]
lifecycles:
  - name: Main
    phases:
      - {name: Dev, environments: [Dev], optional: true}
      - {name: Test, environments: [Test]}
      - {name: Prod, environments: [Prod]}
  - name: Spare
    phases: [{name: Only, environments: [Dev]}]
roles:
  - {name: Matrix Role, permissions: [release.create]}
  - {name: Spare Role, permissions: [release.create]}
users:
  - {username: victim, display_name: Victim}
teams:
  - {name: Victim}
projects:
  - name: Alpha
    lifecycle: Main
    variables:
      - {name: Colour, value: blue, prompt: {label: Which colour, required: true}}
      - {name: Secret, value: s3cret, sensitive: true}
    process:
      - {name: Gate, type: noop}
  - name: Beta
    lifecycle: Main
    process:
      - {name: Gate, type: noop}
  - name: Spare
    process:
      - {name: Gate, type: noop}
accounts:
  - {name: Matrix Key, type: username-password, username: deploy, password: matrix-pw}
  - {name: Spare Key, type: username-password, username: deploy, password: spare-pw}
targets:
  - {name: dev-01, environments: [Dev], roles: [web], endpoint: {type: ssh, host: 192.0.2.1, account: Matrix Key}}
  - {name: spare-01, environments: [Spare], roles: [web], endpoint: {type: ssh, host: 192.0.2.2, account: Matrix Key}}
  - {name: agent-01, environments: [Dev], roles: [web], endpoint: {type: agent}}
approval_policies:
  - {name: Matrix Policy, scope: {environments: [Spare]}, approvers: {users: [victim]}}
  - {name: Spare Policy, scope: {environments: [Spare]}, approvers: {users: [victim]}}
freezes:
  - {name: Matrix Freeze, scope: {environments: [Spare]}, start: "2000-01-01T00:00:00Z", end: "2000-01-02T00:00:00Z"}
  - {name: Spare Freeze, scope: {environments: [Spare]}, start: "2000-01-01T00:00:00Z", end: "2000-01-02T00:00:00Z"}
"""

SCOPES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # (projects, environments) of the grant
    "in": (("Alpha", "Spare"), ("Dev", "Spare")),
    "out": (("Beta",), ("Test",)),
    "everywhere": ((), ()),
}
TARGET_PROJECT, TARGET_ENVIRONMENT = "Alpha", "Dev"
PINNED = fingerprint_of("matrix")

# The bodies that re-create what a successful DELETE removed, as the administrator sends them.
RESTORE = {
    "environments": {"name": "Spare"},
    "lifecycles": {"name": "Spare", "phases": [{"name": "Only", "environments": ["Dev"]}]},
    "projects": {"name": "Spare", "process": [{"name": "Gate", "type": "noop"}]},
    "teams": {"name": "Victim"},
    "users": {"username": "victim", "display_name": "Victim"},
    "roles": {"name": "Spare Role", "permissions": ["release.create"]},
    "targets": {
        "name": "spare-01",
        "environments": ["Spare"],
        "roles": ["web"],
        "endpoint": {"type": "ssh", "host": "192.0.2.2", "account": "Matrix Key", "fingerprint": PINNED},
    },
    "accounts": {"name": "Spare Key", "type": "username-password", "username": "deploy", "password": "spare-pw"},
    "policies": {"name": "Spare Policy", "scope": {"environments": ["Spare"]}, "approvers": {"users": ["victim"]}},
    "freezes": {"name": "Spare Freeze", "start": "2000-01-01T00:00:00Z", "end": "2000-01-02T00:00:00Z"},
}


@dataclass
class Space:
    services: Services
    app: Any
    admin_key: str
    keys: dict[str, str]  # username → API key
    ids: dict[str, str] = field(default_factory=dict)  # what the requests address, by a short name
    spare_keys: dict[str, str] = field(default_factory=dict)  # username → the id of a key of theirs to revoke
    caller: str = ""  # the username the next request is sent as


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    json: Any = None
    marker: str | None = None  # for a filtered list: the id that shows the seeded object is listed
    restore: str | None = None  # for a delete: the plural whose Spare object is put back once deleted
    files: dict[str, Any] | None = None  # a multipart upload instead of a JSON body


def _package_file(name: str) -> dict[str, Any]:
    return {"file": (name, zip_bytes({"index.html": name}), "application/zip")}


def _client(space: Space, key: str | None) -> httpx.AsyncClient:
    headers = {"X-Seaway-ApiKey": key} if key else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=space.app), base_url=f"http://seaway.test{API_PREFIX}", headers=headers
    )


def _username(role: str, scope: str) -> str:
    return f"{role}-{scope}"


async def _spare_key(uow: UnitOfWork, user_id: int, now: datetime) -> str:
    return format_id("api_key", await uow.users.add_api_key(user_id, "spare", hash_token(new_api_key()), now))


async def _seed(services: Services) -> Space:
    await apply_yaml(services, SPACE)
    now = services.clock.now()
    keys: dict[str, str] = {}
    spare_keys: dict[str, str] = {}
    async with services.store.transaction() as uow:
        admin = await uow.users.add(User("admin", "Ada Admin", is_admin=True), now)
        for role in BUILTIN_ROLES:
            for scope, (projects, environments) in SCOPES.items():
                username = _username(role, scope)
                user = await uow.users.add(User(username, username), now)
                await uow.teams.add(Team(username, (username,), (TeamRole(role, environments, projects),)))
                keys[username] = new_api_key()
                await uow.users.add_api_key(user.id or 0, "matrix", hash_token(keys[username]), now)
                spare_keys[username] = await _spare_key(uow, user.id or 0, now)
        admin_key = new_api_key()
        await uow.users.add_api_key(admin.id or 0, "matrix", hash_token(admin_key), now)
    space = Space(services, create_app(services), admin_key, keys, spare_keys=spare_keys)
    async with _client(space, admin_key) as api:
        plurals = (
            "environments",
            "lifecycles",
            "projects",
            "teams",
            "users",
            "roles",
            "targets",
            "accounts",
            "policies",
            "freezes",
        )
        for plural in plurals:
            for item in (await api.get(f"/{plural}")).json():
                space.ids[f"{plural}:{item.get('name') or item['username']}"] = item["id"]
        for name in ("Matrix.1.0.0.zip", "Spare.1.0.0.zip"):
            pushed = await api.post("/packages", files=_package_file(name))
            assert pushed.status_code == 201, pushed.text
        release = (await api.post("/projects/Alpha/releases", json={"version": "1.0.0"})).json()
        deployed = await api.post(
            f"/releases/{release['id']}/deployments", json={"environment": "Dev", "variables": {"Colour": "red"}}
        )
        assert deployed.status_code == 201, deployed.text
        deployment = deployed.json()
    space.ids.update(release=release["id"], deployment=deployment["id"], task=deployment["task_id"])
    async with services.store.transaction() as uow:
        task_id = int(deployment["task_id"].rpartition("-")[2])
        task = await uow.tasks.get(task_id)
        await uow.tasks.save(replace(task, state=TaskState.SUCCESS, started_at=now, finished_at=now))
        interruption = await uow.interruptions.add(
            Interruption(
                kind=InterruptionKind.MANUAL_INTERVENTION,
                task_id=task_id,
                step_index=0,
                step_name="Gate",
                deployment_id=task.deployment_id,
                project_id=int(space.ids["projects:Alpha"].rpartition("-")[2]),
                release_id=int(release["id"].rpartition("-")[2]),
                environment="Dev",
                created_at=now,
                content_hash="c" * 64,
                project_name="Alpha",
                release_version="1.0.0",
            )
        )
        assert interruption.id is not None
        await uow.interruptions.decide(
            interruption.id, user_id=admin.id or 0, result=Result.PROCEED, notes="", channel="api", now=now
        )
        # A change request already decided: every decision that gets past the checks is then a 409.
        change_request = await uow.change_requests.add(
            ChangeRequest(
                deployment_id=task.deployment_id,
                task_id=task_id,
                project="Alpha",
                environment="Dev",
                release_version="1.0.0",
                policy=MergedPolicy(("Matrix Policy",), (), ("victim",), 1, True, ()),
                created_at=now,
            )
        )
        assert change_request.id is not None
        await uow.change_requests.end(change_request.id, ChangeRequestState.APPROVED, now)
    space.ids["interruption"] = format_id("interruption", interruption.id)
    space.ids["change_request"] = f"SEA-{change_request.id}"
    return space


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def matrix_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """A migrated, empty database of each dialect for the whole module, and a directory beside it."""
    tmp = tmp_path_factory.mktemp(f"matrix-{request.param}")
    if request.param == "sqlite":
        shutil.copyfile(request.getfixturevalue("sqlite_template"), tmp / "seaway.db")
        return f"sqlite:///{tmp / 'seaway.db'}", tmp
    url = request.getfixturevalue("postgres_database")
    asyncio.run(truncate_all(url))
    return url, tmp


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def space(matrix_db: tuple[str, Path]) -> AsyncIterator[Space]:
    url, tmp = matrix_db
    # Machines that answer from memory: a check gets through the permission checks, then reaches no host.
    probe = MachineProbe(keys={("192.0.2.1", 22): PINNED, ("192.0.2.2", 22): PINNED})
    services = build_services(make_settings(url, tmp / "data"), target_probe=probe)
    try:
        yield await _seed(services)
    finally:
        await services.close()


def _requests() -> dict[tuple[str, str], Callable[[Space], Call]]:
    """How each operation is called; see the module's docstring for why each request is what it is."""
    steps = [{"name": "Gate", "type": "noop"}]
    variables = [
        {"name": "Colour", "value": "blue", "prompt": {"label": "Which colour", "required": True}},
        {"name": "Secret", "value": None, "sensitive": True},
    ]
    main = {
        "name": "Main",
        "phases": [
            {"name": "Dev", "environments": ["Dev"], "optional": True},
            {"name": "Test", "environments": ["Test"]},
            {"name": "Prod", "environments": ["Prod"]},
        ],
    }

    def crud(plural: str, target: str, spare: str, body: dict[str, Any], taken: dict[str, Any]) -> dict[Any, Any]:
        filtered = OPERATIONS["GET", f"/{plural}"].filtered
        return {
            ("GET", f"/{plural}"): lambda s: Call(
                "GET",
                f"/{plural}",
                marker=s.ids[f"{plural}:{target}"] if filtered else None,
            ),
            ("POST", f"/{plural}"): lambda s: Call("POST", f"/{plural}", taken),
            ("GET", f"/{plural}/{{}}"): lambda s: Call("GET", f"/{plural}/{s.ids[f'{plural}:{target}']}"),
            ("PUT", f"/{plural}/{{}}"): lambda s: Call("PUT", f"/{plural}/{s.ids[f'{plural}:{target}']}", body),
            ("DELETE", f"/{plural}/{{}}"): lambda s: Call(
                "DELETE", f"/{plural}/{s.ids[f'{plural}:{spare}']}", restore=plural
            ),
        }

    matrix_role = {"name": "Matrix Role", "permissions": ["release.create"]}
    dev_01 = {**RESTORE["targets"], "name": "dev-01", "environments": ["Dev"]}
    agent_01 = {"name": "agent-01", "environments": ["Dev"], "roles": ["web"], "home": "/srv/agent-01"}
    dev_01["endpoint"] = {**dev_01["endpoint"], "host": "192.0.2.1"}
    matrix_key = {"name": "Matrix Key", "type": "username-password", "username": "deploy"}  # the secret kept
    matrix_policy = {**RESTORE["policies"], "name": "Matrix Policy"}
    matrix_freeze = {**RESTORE["freezes"], "name": "Matrix Freeze"}
    alpha = "/projects/Alpha"
    return {
        ("GET", "/health"): lambda s: Call("GET", "/health"),
        ("GET", "/ready"): lambda s: Call("GET", "/ready"),
        ("POST", "/config/apply"): lambda s: Call("POST", "/config/apply", {}),
        ("GET", "/export"): lambda s: Call("GET", "/export"),
        **crud("environments", "Dev", "Spare", {"name": "Dev"}, {"name": "Dev"}),
        **crud("lifecycles", "Main", "Spare", main, main),
        **crud("projects", "Alpha", "Spare", {"name": "Alpha", "lifecycle": "Main"}, {"name": "Alpha"}),
        ("GET", "/projects/{}/process"): lambda s: Call("GET", f"{alpha}/process"),
        ("PUT", "/projects/{}/process"): lambda s: Call("PUT", f"{alpha}/process", {"steps": steps}),
        ("GET", "/projects/{}/variables"): lambda s: Call("GET", f"{alpha}/variables"),
        ("PUT", "/projects/{}/variables"): lambda s: Call("PUT", f"{alpha}/variables", {"variables": variables}),
        ("GET", "/projects/{}/variables/preview"): lambda s: Call("GET", f"{alpha}/variables/preview?environment=Dev"),
        ("POST", "/projects/{}/releases"): lambda s: Call("POST", f"{alpha}/releases", {"version": "1.0.0"}),
        ("GET", "/projects/{}/releases"): lambda s: Call("GET", f"{alpha}/releases"),
        ("GET", "/projects/{}/releases/{}"): lambda s: Call("GET", f"{alpha}/releases/1.0.0"),
        ("GET", "/releases/{}"): lambda s: Call("GET", f"/releases/{s.ids['release']}"),
        ("GET", "/releases/{}/deployments"): lambda s: Call(
            "GET", f"/releases/{s.ids['release']}/deployments", marker=s.ids["deployment"]
        ),
        ("POST", "/releases/{}/deployments"): lambda s: Call(
            "POST", f"/releases/{s.ids['release']}/deployments", {"environment": "Dev"}
        ),
        ("POST", "/releases/{}/snapshot-variables"): lambda s: Call(
            "POST", f"/releases/{s.ids['release']}/snapshot-variables"
        ),
        ("GET", "/deployments/{}"): lambda s: Call("GET", f"/deployments/{s.ids['deployment']}"),
        ("GET", "/tasks"): lambda s: Call("GET", "/tasks", marker=s.ids["task"]),
        ("GET", "/tasks/{}"): lambda s: Call("GET", f"/tasks/{s.ids['task']}"),
        ("GET", "/tasks/{}/log"): lambda s: Call("GET", f"/tasks/{s.ids['task']}/log"),
        ("GET", "/tasks/{}/log/raw"): lambda s: Call("GET", f"/tasks/{s.ids['task']}/log/raw"),
        ("GET", "/tasks/{}/log/stream"): lambda s: Call("GET", f"/tasks/{s.ids['task']}/log/stream"),
        ("POST", "/tasks/{}/cancel"): lambda s: Call("POST", f"/tasks/{s.ids['task']}/cancel"),
        **crud("teams", "Victim", "Victim", {"name": "Victim"}, {"name": "Victim"}),
        ("GET", "/users/me"): lambda s: Call("GET", "/users/me"),
        **crud("users", "victim", "victim", RESTORE["users"], {"username": "victim"}),
        ("GET", "/interruptions"): lambda s: Call("GET", "/interruptions?state=all", marker=s.ids["interruption"]),
        ("GET", "/interruptions/{}"): lambda s: Call("GET", f"/interruptions/{s.ids['interruption']}"),
        ("POST", "/interruptions/{}/take"): lambda s: Call("POST", f"/interruptions/{s.ids['interruption']}/take"),
        ("POST", "/interruptions/{}/submit"): lambda s: Call(
            "POST", f"/interruptions/{s.ids['interruption']}/submit", {"result": "proceed"}
        ),
        ("POST", "/interruptions/{}/links"): lambda s: Call("POST", f"/interruptions/{s.ids['interruption']}/links"),
        ("GET", "/deployments/preview"): lambda s: Call(
            "GET", "/deployments/preview?project=Alpha&release=1.0.0&environment=Dev"
        ),
        ("GET", "/change-requests"): lambda s: Call(
            "GET", "/change-requests?state=all", marker=s.ids["change_request"]
        ),
        ("GET", "/change-requests/{}"): lambda s: Call("GET", f"/change-requests/{s.ids['change_request']}"),
        ("POST", "/change-requests/{}/approve"): lambda s: Call(
            "POST", f"/change-requests/{s.ids['change_request']}/approve", {}
        ),
        ("POST", "/change-requests/{}/reject"): lambda s: Call(
            "POST", f"/change-requests/{s.ids['change_request']}/reject", {"reason": "no"}
        ),
        **crud("policies", "Matrix Policy", "Spare Policy", matrix_policy, matrix_policy),
        **crud("freezes", "Matrix Freeze", "Spare Freeze", matrix_freeze, matrix_freeze),
        # The deployment has started: a 409 once the checks let the override through.
        ("POST", "/deployments/{}/freeze-override"): lambda s: Call(
            "POST", f"/deployments/{s.ids['deployment']}/freeze-override", {"reason": "matrix"}
        ),
        ("GET", "/outbox"): lambda s: Call("GET", "/outbox"),
        **crud("roles", "Matrix Role", "Spare Role", matrix_role, matrix_role),
        ("GET", "/audit-events"): lambda s: Call(
            "GET", "/audit-events?action=deployment.created", marker=s.ids["deployment"]
        ),
        ("GET", "/api-keys"): lambda s: Call("GET", "/api-keys"),
        ("POST", "/api-keys"): lambda s: Call("POST", "/api-keys", {"purpose": "matrix"}),
        ("DELETE", "/api-keys/{}"): lambda s: Call(
            "DELETE", f"/api-keys/{s.spare_keys.get(s.caller, 'ApiKeys-1')}", restore="api-keys"
        ),
        # Too short a new password: refused once the checks let the request through.
        ("POST", "/users/me/password"): lambda s: Call(
            "POST", "/users/me/password", {"current_password": "?", "new_password": "short"}
        ),
        ("POST", "/users/{}/password"): lambda s: Call(
            "POST", f"/users/{s.ids['users:victim']}/password", {"new_password": "short"}
        ),
        # The same version again: a 409 once the checks let the push through.
        ("POST", "/packages"): lambda s: Call("POST", "/packages", files=_package_file("Matrix.1.0.0.zip")),
        ("GET", "/packages"): lambda s: Call("GET", "/packages"),
        ("GET", "/packages/{}/{}"): lambda s: Call("GET", "/packages/Matrix/1.0.0"),
        ("GET", "/packages/{}/{}/download"): lambda s: Call("GET", "/packages/Matrix/1.0.0/download"),
        ("DELETE", "/packages/{}/{}"): lambda s: Call("DELETE", "/packages/Spare/1.0.0", restore="packages"),
        ("GET", "/feeds"): lambda s: Call("GET", "/feeds"),
        # Taken names (409) and PUTs of what is there; a check reaches the in-memory machines only.
        **crud("targets", "dev-01", "spare-01", dev_01, dev_01),
        ("POST", "/targets/{}/check"): lambda s: Call("POST", f"/targets/{s.ids['targets:dev-01']}/check"),
        # Registering again an agent target the document declared; revoking whatever registration it has.
        ("POST", "/agents/register"): lambda s: Call("POST", "/agents/register", agent_01),
        ("POST", "/agents/{}/revoke"): lambda s: Call("POST", "/agents/agent-01/revoke"),
        **crud("accounts", "Matrix Key", "Spare Key", matrix_key, RESTORE["accounts"]),
    }


REQUESTS = _requests()


def _document_operations() -> list[tuple[str, str]]:
    from unittest.mock import MagicMock

    services = MagicMock()  # the document is built from the routes alone: no database is opened
    services.settings = make_settings("sqlite:///unused.db", Path("unused"))
    document = create_app(services).openapi()
    return sorted(
        operation_key(method, path)
        for path, operations in document["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    )


DOCUMENT = _document_operations()


def test_every_operation_of_the_openapi_document_is_in_the_table():
    missing = [f"{method} {path}" for method, path in DOCUMENT if (method, path) not in OPERATIONS]
    assert not missing, f"add these to seaway/web/api/permission_table.py: {missing}"


def test_every_operation_of_the_table_is_in_the_document():
    stale = [f"{method} {path}" for method, path in OPERATIONS if (method, path) not in DOCUMENT]
    assert not stale, f"these are in the table but not in the API: {stale}"


def test_every_operation_of_the_document_has_a_request_here():
    missing = [f"{m} {p}" for m, p in DOCUMENT if (m, p) not in REQUESTS]
    assert not missing, f"add how to call these to REQUESTS: {missing}"


def expected(rule: Rule, role: str, scope: str) -> bool:
    if rule.scope in (ScopeSource.PUBLIC, ScopeSource.SELF):
        return True
    projects, environments = SCOPES[scope]
    grant = Grant(
        role=role,
        team=role,
        permissions=frozenset(str(p) for p in BUILTIN_ROLES[role].permissions),
        projects=frozenset(p.lower() for p in projects),
        environments=frozenset(e.lower() for e in environments),
    )
    project = TARGET_PROJECT if rule.scope in (ScopeSource.PROJECT, ScopeSource.PROJECT_ENVIRONMENT) else None
    environment = (
        TARGET_ENVIRONMENT if rule.scope in (ScopeSource.ENVIRONMENT, ScopeSource.PROJECT_ENVIRONMENT) else None
    )
    return all(grant_allows(grant, permission, project, environment) for permission in rule.needs)


async def _send(space: Space, key: str | None, call: Call) -> httpx.Response:
    async with _client(space, key) as client:
        if call.files is not None:
            response = await client.request(call.method, call.path, files=call.files)
        else:
            response = await client.request(call.method, call.path, json=call.json)
    if call.restore == "packages" and response.status_code == 204:
        async with _client(space, space.admin_key) as admin:
            pushed = await admin.post("/packages", files=_package_file("Spare.1.0.0.zip"))
        assert pushed.status_code == 201, pushed.text
    elif call.restore == "api-keys" and response.status_code == 204:
        async with space.services.store.transaction() as uow:
            owner = await uow.users.get_by_username(space.caller)
            space.spare_keys[space.caller] = await _spare_key(uow, owner.id or 0, space.services.clock.now())
    elif call.restore and response.status_code == 204:  # put the Spare object back, under a new id
        async with _client(space, space.admin_key) as admin:
            recreated = await admin.post(f"/{call.restore}", json=RESTORE[call.restore])
        assert recreated.status_code == 201, recreated.text
        name = RESTORE[call.restore].get("name") or RESTORE[call.restore]["username"]
        space.ids[f"{call.restore}:{name}"] = recreated.json()["id"]
    return response


def verdict(response: httpx.Response, call: Call) -> bool:
    """True: the request got past the checks; False: it was refused as a permission."""
    if call.marker is not None and response.status_code == 200:
        return call.marker in response.text
    if response.status_code == 404:
        return False
    if response.status_code == 403:
        return response.json()["error"]["code"] != "forbidden"
    assert response.status_code != 401, response.text
    return True


CASES = [
    pytest.param(key, role, scope, id=f"{key[0]} {key[1]} as {role} {scope}")
    for key in DOCUMENT
    for role in BUILTIN_ROLES
    for scope in SCOPES
]


@in_module_loop
@pytest.mark.parametrize(("operation", "role", "scope"), CASES)
async def test_the_operation_answers_the_role_as_the_table_says(space, operation, role, scope):
    rule = OPERATIONS[operation]
    space.caller = _username(role, scope)
    call = REQUESTS[operation](space)

    response = await _send(space, space.keys[space.caller], call)

    allowed = expected(rule, role, scope)
    assert verdict(response, call) is allowed, (
        f"{role} ({scope}) {'should' if allowed else 'should not'} get past {rule}: "
        f"{response.status_code} {response.text[:300]}"
    )
    if rule.filtered and rule.view is None:
        assert response.status_code == 200, "a filtered list is never refused"


@in_module_loop
@pytest.mark.parametrize("operation", DOCUMENT, ids=[f"{m} {p}" for m, p in DOCUMENT])
async def test_without_a_key_only_the_public_operations_answer(space, operation):
    space.caller = ""
    response = await _send(space, None, REQUESTS[operation](space))

    public = OPERATIONS[operation].scope is ScopeSource.PUBLIC
    assert (response.status_code != 401) is public, response.text


def test_docs_access_shows_the_table():
    docs = (Path(__file__).resolve().parents[3] / "docs" / "access.md").read_text()
    assert markdown_table() in docs, "copy permission_table.markdown_table() into docs/access.md"
