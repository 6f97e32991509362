"""Names, ids, versions, users, the authorization seam and system variables."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seaway.domain.environments import Environment, ordered, validate_name
from seaway.domain.ids import MAX_ID, format_id, parse_id
from seaway.domain.permissions import Permission, authorize
from seaway.domain.releases import next_version, validate_version
from seaway.domain.roles import grants_of
from seaway.domain.states import StepState
from seaway.domain.system_variables import DeploymentFacts, StepStatus, deployment_variables, step_variables
from seaway.domain.users import Team, TeamRole, User, validate_email, validate_username
from seaway.errors import InvalidInput, PermissionDenied

NOW = datetime(2026, 11, 22, tzinfo=UTC)


@pytest.mark.parametrize("bad", ["", "   ", " Dev", "Dev ", "x" * 201, None, "Pro\nd", "a\x00b", "a\tb", "x\x1b[31m"])
def test_names_must_be_trimmed_printable_and_not_empty(bad):
    with pytest.raises(InvalidInput) as error:
        validate_name(bad, field="environments[0]")
    assert error.value.field == "environments[0]"


def test_a_good_name_is_returned_as_is():
    assert validate_name("Prod") == "Prod"
    assert validate_name("Prod – Zürich 🚀") == "Prod – Zürich 🚀"


def test_environments_are_ordered_by_sort_order_then_name():
    envs = [Environment("b", 1), Environment("A", 1), Environment("Z", 0)]
    assert [e.name for e in ordered(envs)] == ["Z", "A", "b"]


def test_ids_round_trip_and_bad_ids_name_the_field():
    assert format_id("project", 7) == "Projects-7"
    assert parse_id("project", "Projects-7") == 7
    assert parse_id("project", "projects-7") == 7
    assert parse_id("task", "9") == 9
    with pytest.raises(InvalidInput) as error:
        parse_id("task", "Projects-7", field="task")
    assert error.value.field == "task"
    with pytest.raises(ValueError):
        format_id("project", None)


@given(st.integers(min_value=0, max_value=MAX_ID))
def test_every_id_parses_back(number):
    assert parse_id("deployment", format_id("deployment", number)) == number


@pytest.mark.parametrize("text", ["Deployments-2147483648", "99999999999", "Deployments-١٢", "²"])
def test_ids_past_the_stores_integers_or_not_ascii_digits_are_refused(text):
    with pytest.raises(InvalidInput, match="is not a deployment id"):
        parse_id("deployment", text)


@pytest.mark.parametrize(
    ("existing", "expected"),
    [
        ([], "0.0.1"),
        (["1.2.3"], "1.2.4"),
        (["1.0.9-beta"], "1.0.10-beta"),
        (["release"], "release.1"),
        (["1.0.1", "1.0.2", "1.0.1"], "1.0.3"),
    ],
)
def test_the_next_version_bumps_the_last_number(existing, expected):
    assert next_version(existing) == expected


@pytest.mark.parametrize("bad", ["", "has space", "-leading", "a" * 101])
def test_bad_versions_are_refused(bad):
    with pytest.raises(InvalidInput):
        validate_version(bad)
    assert validate_version("1.0.0+build.5") == "1.0.0+build.5"


def test_usernames_and_emails_are_validated():
    assert validate_username("alice.smith") == "alice.smith"
    with pytest.raises(InvalidInput):
        validate_username("bad name")
    assert validate_email("") is None
    assert validate_email("a@example.org") == "a@example.org"
    with pytest.raises(InvalidInput):
        validate_email("not-an-email")
    assert User("bob").label == "bob"
    assert User("bob", "Bob B").label == "Bob B"


def test_the_authorization_seam():
    deployer = User("a", grants=grants_of("a", [Team("Deployers", ("a",), (TeamRole("project-deployer"),))], []))
    authorize(deployer, Permission.DEPLOYMENT_CREATE, "Quotes", "Prod")
    authorize(User("root", is_admin=True), Permission.OUTBOX_VIEW)
    with pytest.raises(PermissionDenied):
        authorize(None, Permission.PROJECT_VIEW)
    with pytest.raises(PermissionDenied):
        authorize(User("a", active=False), Permission.PROJECT_VIEW)
    with pytest.raises(PermissionDenied):
        authorize(deployer, Permission.OUTBOX_VIEW)
    with pytest.raises(PermissionDenied):
        authorize(User("a"), Permission.PROJECT_VIEW)  # no team, no grant


def facts(**overrides):
    values = dict(
        project_id="Projects-1",
        project_name="Quotes",
        environment_id="Environments-2",
        environment_name="Test",
        release_id="Releases-3",
        release_number="1.0.0",
        release_notes="notes",
        release_created=NOW,
        deployment_id="Deployments-4",
        deployment_created=NOW,
        task_id="ServerTasks-5",
        server_uri="https://seaway.example/",
    )
    values.update(overrides)
    return DeploymentFacts(**values)


def test_deployment_variables():
    values = deployment_variables(
        facts(
            created_by=User("dora", "Dora", "d@x.org", id=3),
            error="boom",
            previous_release_number="0.9",
            previous_environment_release_number="0.8",
            previous_successful_deployment_id="Deployments-2",
        )
    )
    assert values["Octopus.Web.ServerUri"] == "https://seaway.example"
    assert values["Octopus.Deployment.CreatedBy.Id"] == "Users-3"
    assert values["Octopus.Deployment.Error"] == values["Octopus.Deployment.ErrorDetail"] == "boom"
    assert values["Octopus.Release.Previous.Number"] == "0.9"
    assert values["Octopus.Release.PreviousForEnvironment.Number"] == "0.8"
    assert values["Octopus.Deployment.PreviousSuccessful.Id"] == "Deployments-2"
    plain = deployment_variables(facts())
    assert "Octopus.Deployment.Error" not in plain and "Octopus.Deployment.CreatedBy.Id" not in plain


def test_step_variables_list_every_step_with_its_status_and_outputs():
    steps = [StepStatus("A", 1, StepState.SUCCEEDED, outputs={"Url": "u"}), StepStatus("B", 2, StepState.FAILED, "x")]
    values = step_variables(steps, steps[1])
    assert values["Octopus.Step[A].Status.Code"] == "Success"
    assert values["Octopus.Action[B].Status.Error"] == "x"
    assert values["Octopus.Action[A].Output.Url"] == "u"
    assert values["Octopus.Step.Name"] == "B" and values["Octopus.Action.Number"] == "2"
    assert "Octopus.Step.Name" not in step_variables(steps, None)
