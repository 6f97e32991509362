"""What a release changes compared with the one last deployed to the environment."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from seaway.domain.changes import change_lines, compare_releases
from seaway.domain.packages import PackageReference
from seaway.domain.process import Step, StepType
from seaway.domain.releases import Release
from seaway.domain.variables import Scope, Variable

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BUILD = Step("Build", StepType.SCRIPT, {"script": "make"})
SIGN_OFF = Step("Sign Off", StepType.MANUAL_INTERVENTION, {"responsible_teams": ["Stakeholders"]})


def make_release(version: str = "1.0.0", **overrides: object) -> Release:
    values: dict[str, object] = {
        "project_id": 1,
        "version": version,
        "process": (BUILD, SIGN_OFF),
        "variables": (
            Variable("App Port", "8081", Scope(environments=frozenset({"Dev"}))),
            Variable("App Port", "8082", Scope(environments=frozenset({"Test"}))),
            Variable("Db Password", "old-secret", sensitive=True),
        ),
        "created_at": NOW,
        "notes": "First",
        "packages": (PackageReference("Build", "Build", "1.0.0"),),
    }
    values.update(overrides)
    return Release(**values)  # type: ignore[arg-type]


def test_the_first_deployment_to_an_environment_has_nothing_to_compare_with():
    changes = compare_releases(None, make_release())
    assert change_lines(changes, "Prod") == ["First deployment to Prod: nothing to compare with"]


def test_the_same_content_says_so():
    assert change_lines(compare_releases(make_release(), make_release("1.0.1")), "Prod") == [
        "Release 1.0.0 → 1.0.1",
        "No changes to the process, variables or packages",
    ]


def test_steps_added_removed_and_changed_are_named():
    before = make_release()
    after = make_release(
        "1.1.0",
        process=(
            replace(BUILD, properties={"script": "make all"}),
            Step("Smoke Test", StepType.SCRIPT, {"script": "curl"}),
        ),
    )
    lines = change_lines(compare_releases(before, after), "Prod")
    assert 'Step added: "Smoke Test"' in lines
    assert 'Step removed: "Sign Off"' in lines
    assert 'Step changed: "Build"' in lines


def test_variables_are_compared_by_name_over_all_their_scoped_values():
    before = make_release()
    after = make_release(
        "1.1.0",
        variables=(
            Variable("App Port", "8082", Scope(environments=frozenset({"Test"}))),  # order does not matter
            Variable("app port", "8081", Scope(environments=frozenset({"Dev"}))),
            Variable("Db Password", "new-secret", sensitive=True),
            Variable("Colour", "blue"),
        ),
    )
    lines = change_lines(compare_releases(before, after), "Prod")
    assert 'Variable added: "Colour"' in lines
    assert 'Variable changed: "Db Password" (sensitive)' in lines
    assert not any("App Port" in line for line in lines)
    assert not any("secret" in line for line in lines)


BUILD_1_1 = PackageReference("Build", "Build", "1.1.0")
WEB_2 = PackageReference("Web", "Web", "2.0.0")


def test_packages_and_notes_are_reported():
    before = make_release()
    after = make_release(
        "1.1.0",
        packages=(BUILD_1_1, WEB_2),
        notes="Second",
    )
    lines = change_lines(compare_releases(before, after), "Prod")
    assert 'Package of "Build": 1.0.0 → 1.1.0' in lines
    assert 'Package of "Web": none → 2.0.0' in lines
    assert "Release notes changed" in lines


@given(old=st.text(min_size=1), new=st.text(min_size=1))
def test_a_sensitive_value_never_appears_in_the_summary(old: str, new: str):
    # The marker makes the values impossible to find in the fixed text by chance.
    old, new = f"s3cr3t:{old}", f"s3cr3t:{new}"
    before = make_release(variables=(Variable("Token", old, sensitive=True),))
    after = make_release("2.0.0", variables=(Variable("Token", new, sensitive=True), Variable("Other", "x")))
    text = "\n".join(change_lines(compare_releases(before, after), "Prod"))
    assert "s3cr3t:" not in text
