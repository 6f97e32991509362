"""Roles and grants: the built-in roles hold what the product says they hold, a team's roles only ever add
permissions, a narrower scope only ever takes them away, and a refusal names what is missing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seaway.domain.permissions import DIMENSIONS, Permission, allows, authorize, dimensions_of
from seaway.domain.roles import BUILTIN_ROLES, Role, find_role, grants_of, parse_permission, validate_custom_role
from seaway.domain.users import Team, TeamRole, User
from seaway.errors import InvalidInput, PermissionDenied

P = Permission
PROJECTS = ["Quotes", "Shop", "Blog"]
ENVIRONMENTS = ["Dev", "Test", "Prod"]
RELEASE_MANAGER = Role("Release Manager", frozenset({P.RELEASE_CREATE, P.DEPLOYMENT_CREATE}), id=1)
CUSTOM = [RELEASE_MANAGER]
ROLE_NAMES = [*BUILTIN_ROLES, RELEASE_MANAGER.name]


def user_in(teams: list[Team], username: str = "dana") -> User:
    return User(username, id=7, grants=grants_of(username, teams, CUSTOM))


def permissions_of(slug: str) -> frozenset[Permission]:
    return BUILTIN_ROLES[slug].permissions


# -- the built-in roles -----------------------------------------------------------------------------------


def test_the_built_in_roles_are_the_ones_the_product_names():
    assert set(BUILTIN_ROLES) == {
        "package-publisher",
        "system-administrator",
        "project-viewer",
        "project-contributor",
        "project-lead",
        "project-deployer",
        "deployment-creator",
        "environment-viewer",
        "environment-manager",
        "approver",
        "auditor",
    }
    assert all(role.builtin and role.description for role in BUILTIN_ROLES.values())


def test_the_system_administrator_holds_every_permission():
    assert permissions_of("system-administrator") == frozenset(Permission)


def test_a_project_viewer_only_reads():
    viewer = permissions_of("project-viewer")
    assert {P.PROJECT_VIEW, P.RELEASE_VIEW, P.DEPLOYMENT_VIEW, P.TASK_VIEW, P.VARIABLE_VIEW} <= viewer
    assert all(p.value.endswith(".view") for p in viewer)


def test_contributor_lead_and_deployer_each_add_one_thing_to_the_one_before():
    viewer, contributor = permissions_of("project-viewer"), permissions_of("project-contributor")
    lead, deployer = permissions_of("project-lead"), permissions_of("project-deployer")
    assert viewer < contributor and {P.PROCESS_EDIT, P.VARIABLE_EDIT} <= contributor
    assert P.RELEASE_CREATE not in contributor and P.DEPLOYMENT_CREATE not in contributor
    assert lead == contributor | {P.RELEASE_CREATE}
    assert lead < deployer and P.DEPLOYMENT_CREATE in deployer and P.DEPLOYMENT_CREATE not in lead


def test_a_deployment_creator_creates_and_cancels_deployments_and_changes_nothing_else():
    creator = permissions_of("deployment-creator")
    assert {P.DEPLOYMENT_CREATE, P.TASK_CANCEL} <= creator
    assert {p for p in creator if not p.value.endswith(".view")} == {P.DEPLOYMENT_CREATE, P.TASK_CANCEL}


def test_environment_roles_see_or_manage_environments_and_their_targets():
    assert permissions_of("environment-viewer") == {P.ENVIRONMENT_VIEW, P.TARGET_VIEW}
    assert {P.ENVIRONMENT_VIEW, P.ENVIRONMENT_EDIT} <= permissions_of("environment-manager")
    assert {P.TARGET_VIEW, P.TARGET_EDIT, P.ACCOUNT_VIEW, P.ACCOUNT_EDIT} <= permissions_of("environment-manager")
    assert P.TARGET_VIEW in permissions_of("project-viewer") and P.TARGET_EDIT not in permissions_of("project-deployer")
    assert P.DEPLOYMENT_CREATE not in permissions_of("environment-manager")


def test_an_approver_decides_gates_but_does_not_deploy():
    approver = permissions_of("approver")
    assert {P.INTERRUPTION_DECIDE, P.INTERRUPTION_SUBMIT} <= approver
    assert P.DEPLOYMENT_CREATE not in approver and P.RELEASE_CREATE not in approver


def test_an_auditor_reads_and_exports_the_audit_log_only():
    assert permissions_of("auditor") == {P.AUDIT_VIEW, P.AUDIT_EXPORT}


def test_roles_are_found_by_slug_or_by_custom_name_whatever_the_case():
    assert find_role("Approver", CUSTOM) is BUILTIN_ROLES["approver"]
    assert find_role("release manager", CUSTOM) is RELEASE_MANAGER
    assert find_role("Deployer", CUSTOM) is None


def test_a_custom_role_may_not_take_a_built_in_slug_and_permissions_are_named_exactly():
    with pytest.raises(InvalidInput) as taken:
        validate_custom_role(Role("Approver", frozenset()), field="roles[0].name")
    assert taken.value.field == "roles[0].name" and "built-in" in taken.value.message
    assert parse_permission("release.create", field="permissions[0]") is P.RELEASE_CREATE
    with pytest.raises(InvalidInput) as unknown:
        parse_permission("release.delete", field="permissions[1]")
    assert unknown.value.field == "permissions[1]" and '"release.delete"' in unknown.value.message


# -- authorize's answers --------------------------------------------------------------------------------


INTERNAL = Team("Internal", ("dana",), (TeamRole("deployment-creator", environments=("Dev", "Test")),))


def refusal(user: User | None, permission: Permission, project: str | None = None, env: str | None = None) -> str:
    with pytest.raises(PermissionDenied) as refused:
        authorize(user, permission, project, env)
    assert refused.value.id == str(permission)
    return refused.value.message


def test_a_refusal_names_the_environment_that_is_missing():
    dana = user_in([INTERNAL])
    authorize(dana, P.DEPLOYMENT_CREATE, "Quotes", "Test")
    assert (
        refusal(dana, P.DEPLOYMENT_CREATE, "Quotes", "Prod")
        == 'missing permission deployment.create for environment "Prod"'
    )


def test_a_refusal_names_the_project_that_is_missing():
    team = Team("Shop", ("dana",), (TeamRole("project-deployer", projects=("Shop",)),))
    dana = user_in([team])
    assert (
        refusal(dana, P.DEPLOYMENT_CREATE, "Quotes", "Dev")
        == 'missing permission deployment.create for project "Quotes"'
    )
    assert refusal(dana, P.PROJECT_EDIT) == "missing permission project.edit for every project"


def test_a_refusal_of_a_permission_not_held_anywhere_names_only_the_permission():
    assert refusal(user_in([INTERNAL]), P.TEAM_EDIT) == "missing permission team.edit"


def test_nobody_and_a_disabled_user_are_refused_whatever_their_grants():
    assert refusal(None, P.PROJECT_VIEW) == "sign in first"
    disabled = replace(user_in([INTERNAL]), active=False)
    assert refusal(disabled, P.DEPLOYMENT_CREATE, "Quotes", "Dev") == 'user "dana" is disabled'


def test_a_scope_narrows_only_the_dimensions_a_permission_is_about():
    dana = user_in([INTERNAL])
    assert allows(dana, P.LIFECYCLE_VIEW)  # not about an environment: the Dev/Test scope does not apply
    assert allows(dana, P.PROJECT_VIEW, "Quotes")
    assert not allows(dana, P.TASK_CANCEL, "Quotes", "Prod")


def test_an_administrator_may_do_anything_and_a_member_of_no_team_nothing():
    admin = User("root", is_admin=True)
    assert all(allows(admin, p, "Quotes", "Prod") for p in Permission)
    assert not any(allows(user_in([]), p, "Quotes", "Prod") for p in Permission)


def test_grants_come_only_from_the_teams_one_is_a_member_of_and_from_roles_that_exist():
    teams = [Team("Others", ("erin",), (TeamRole("project-deployer"),)), Team("Mine", ("DANA",), (TeamRole("gone"),))]
    assert grants_of("dana", teams, CUSTOM) == ()


# -- properties -----------------------------------------------------------------------------------------

names = st.lists(st.sampled_from(PROJECTS), max_size=2, unique=True).map(tuple)
environments = st.lists(st.sampled_from(ENVIRONMENTS), max_size=2, unique=True).map(tuple)
team_roles = st.builds(TeamRole, role=st.sampled_from(ROLE_NAMES), environments=environments, projects=names)
teams = st.lists(
    st.builds(
        Team,
        name=st.sampled_from(["Ops", "Devs", "Stakeholders"]),
        members=st.sampled_from([("dana",), ("dana", "erin"), ("erin",)]),
        roles=st.lists(team_roles, max_size=3).map(tuple),
    ),
    max_size=3,
)
checks = st.lists(
    st.tuples(
        st.sampled_from(list(Permission)),
        st.none() | st.sampled_from(PROJECTS),
        st.none() | st.sampled_from(ENVIRONMENTS),
    ),
    min_size=1,
    max_size=12,
)


def allowed(team_list: list[Team], permission: Permission, project: str | None, env: str | None) -> bool:
    return allows(user_in(team_list), permission, project, env)


@given(team_list=teams, index=st.integers(min_value=0), added=team_roles, wanted=checks)
def test_adding_a_role_to_a_team_never_removes_a_permission(team_list, index, added, wanted):
    team_list = team_list or [Team("New", ("dana",))]
    position = index % len(team_list)
    target = team_list[position]
    widened = [*team_list[:position], replace(target, roles=(*target.roles, added)), *team_list[position + 1 :]]
    for permission, project, env in wanted:
        if allowed(team_list, permission, project, env):
            assert allowed(widened, permission, project, env)


def narrower(scope: tuple[str, ...], universe: list[str], keep: list[bool]) -> tuple[str, ...]:
    """A scope that covers no more than `scope` (empty covers everything) and is never empty itself."""
    pool = list(scope) or universe
    kept = tuple(name for name, k in zip(pool, keep, strict=False) if k)
    return kept or (pool[0],)


@given(
    team_list=teams.filter(lambda ts: any(t.roles for t in ts)),
    index=st.integers(min_value=0),
    keep_projects=st.lists(st.booleans(), min_size=3, max_size=3),
    keep_environments=st.lists(st.booleans(), min_size=3, max_size=3),
    wanted=checks,
)
def test_narrowing_a_scope_never_adds_a_permission(team_list, index, keep_projects, keep_environments, wanted):
    with_roles = [(t, i) for t, team in enumerate(team_list) for i in range(len(team.roles))]
    team_at, role_at = with_roles[index % len(with_roles)]
    team = team_list[team_at]
    role = team.roles[role_at]
    narrowed_role = replace(
        role,
        projects=narrower(role.projects, PROJECTS, keep_projects),
        environments=narrower(role.environments, ENVIRONMENTS, keep_environments),
    )
    roles = (*team.roles[:role_at], narrowed_role, *team.roles[role_at + 1 :])
    narrowed = [*team_list[:team_at], replace(team, roles=roles), *team_list[team_at + 1 :]]
    for permission, project, env in wanted:
        if allowed(narrowed, permission, project, env):
            assert allowed(team_list, permission, project, env)


def test_every_scoped_permission_is_about_a_project_or_an_environment():
    assert all(dims for dims in DIMENSIONS.values())


# -- the documentation ------------------------------------------------------------------------------------

ACCESS_DOC = Path(__file__).resolve().parents[2] / "docs" / "access.md"


def roles_table() -> str:
    rows = [f"| `{r.name}` | {r.description} |" for r in BUILTIN_ROLES.values()]
    return "\n".join(["| role | what it is for |", "|---|---|", *rows]) + "\n"


def permissions_table() -> str:
    rows = []
    for permission in Permission:
        scoped_by = " and ".join(sorted(d.value for d in dimensions_of(permission)))
        holders = ", ".join(f"`{r.name}`" for r in BUILTIN_ROLES.values() if permission in r.permissions)
        rows.append(f"| `{permission}` | {scoped_by or 'neither: any grant holding it allows it'} | {holders} |")
    return "\n".join(["| permission | scoped by | built-in roles that hold it |", "|---|---|---|", *rows]) + "\n"


def test_the_access_documentation_lists_the_roles_and_permissions_as_the_code_has_them():
    text = ACCESS_DOC.read_text()
    assert roles_table() in text
    assert permissions_table() in text
