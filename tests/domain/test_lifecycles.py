"""Lifecycle progression decides where a release may be deployed now."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seaway.domain.lifecycles import (
    Lifecycle,
    Phase,
    allowed_environments,
    automatic_environments,
    default_lifecycle,
    validate_lifecycle,
    why_not_allowed,
)
from seaway.errors import InvalidInput

TUTORIAL = Lifecycle(
    "Dev, Test, and Prod",
    (
        Phase("Dev", ("Dev",), optional=True),
        Phase("Test", ("Test",)),
        Phase("Prod", ("Prod",)),
    ),
)


def test_an_optional_first_phase_lets_a_release_go_straight_to_test():
    assert why_not_allowed(TUTORIAL, "Test", []) is None
    assert allowed_environments(TUTORIAL, []) == ["Dev", "Test"]


def test_prod_is_refused_until_test_succeeded():
    reason = why_not_allowed(TUTORIAL, "Prod", ["Dev"])
    assert reason is not None and 'phase "Test"' in reason and "all of Test" in reason
    assert why_not_allowed(TUTORIAL, "prod", ["test"]) is None


def test_an_environment_outside_the_lifecycle_is_refused():
    assert "not part of lifecycle" in (why_not_allowed(TUTORIAL, "Qa", []) or "")


def test_a_minimum_lets_a_phase_complete_with_some_of_its_environments():
    lifecycle = Lifecycle("L", (Phase("Test", ("Test A", "Test B", "Test C"), minimum=2), Phase("Prod", ("Prod",))))
    assert why_not_allowed(lifecycle, "Prod", ["Test A"]) is not None
    assert "2 of" in (why_not_allowed(lifecycle, "Prod", ["Test A"]) or "")
    assert why_not_allowed(lifecycle, "Prod", ["Test A", "Test C"]) is None
    assert Phase("x", ("a",), minimum=5).required_count() == 1


def test_automatic_environments_are_deployed_on_entering_their_phase():
    lifecycle = Lifecycle(
        "L", (Phase("Dev", ("Dev",), automatic=("Dev",)), Phase("Test", ("Test",), automatic=("Test",)))
    )
    assert automatic_environments(lifecycle, []) == ["Dev"]
    assert automatic_environments(lifecycle, ["Dev"]) == ["Test"]
    assert automatic_environments(lifecycle, ["Dev", "Test"]) == []


def test_the_default_lifecycle_has_one_required_phase_per_environment():
    lifecycle = default_lifecycle(["Dev", "Test"])
    assert [p.environments for p in lifecycle.phases] == [("Dev",), ("Test",)]
    assert why_not_allowed(lifecycle, "Test", []) is not None


@pytest.mark.parametrize(
    ("lifecycle", "field"),
    [
        (Lifecycle("L", ()), "lc.phases"),
        (Lifecycle("L", (Phase("P", ()),)), "lc.phases[0].environments"),
        (Lifecycle("L", (Phase("P", ("Qa",)),)), "lc.phases[0].environments[0]"),
        (Lifecycle("L", (Phase("P", ("Dev",)), Phase("Q", ("dev",)))), "lc.phases[1].environments[0]"),
        (Lifecycle("L", (Phase("P", ("Dev",), automatic=("Test",)),)), "lc.phases[0].automatic[0]"),
        (Lifecycle("L", (Phase("P", ("Dev",), minimum=3),)), "lc.phases[0].minimum"),
    ],
)
def test_invalid_lifecycles_name_the_field(lifecycle, field):
    with pytest.raises(InvalidInput) as error:
        validate_lifecycle(lifecycle, ["Dev", "Test"], path="lc")
    assert error.value.field == field


def test_a_valid_lifecycle_passes_validation():
    validate_lifecycle(TUTORIAL, ["Dev", "Test", "Prod"], path="lc")
    automatic = Lifecycle("L", (Phase("P", ("Dev", "Test"), automatic=("Dev",), minimum=1),))
    validate_lifecycle(automatic, ["Dev", "Test"], path="lc")


environments = st.lists(st.sampled_from(["A", "B", "C", "D", "E"]), unique=True, min_size=1, max_size=5)


@given(order=environments, succeeded=st.lists(st.sampled_from(["A", "B", "C", "D", "E"])))
def test_an_environment_is_allowed_exactly_when_no_reason_refuses_it(order, succeeded):
    lifecycle = default_lifecycle(order)
    allowed = allowed_environments(lifecycle, succeeded)
    for env in order:
        assert (env in allowed) == (why_not_allowed(lifecycle, env, succeeded) is None)


@given(order=environments)
def test_the_first_phase_is_always_allowed_and_succeeding_everywhere_allows_everything(order):
    lifecycle = default_lifecycle(order)
    assert why_not_allowed(lifecycle, order[0], []) is None
    assert allowed_environments(lifecycle, order) == order
