"""Tags on projects and environments, and the rule by which a policy's `scope.tags` matches a deployment."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seaway.domain.policies import ApprovalPolicy, applies_to, matching
from seaway.domain.tags import carries_any, validate_tags
from seaway.errors import InvalidInput

REGULATED = ApprovalPolicy("Regulated", teams=("Security",), tags=("regulated",))


def test_a_tag_on_the_project_or_on_the_environment_matches():
    assert applies_to(REGULATED, "Payments", "Prod", project_tags=("pci", "regulated"))
    assert applies_to(REGULATED, "Quotes", "Prod", environment_tags=("Regulated",))
    assert not applies_to(REGULATED, "Quotes", "Dev", project_tags=("pci",), environment_tags=("internal",))
    assert not applies_to(REGULATED, "Quotes", "Dev")


def test_tags_and_the_other_dimensions_must_each_match():
    prod_only = ApprovalPolicy("Regulated Prod", teams=("Security",), environments=("Prod",), tags=("regulated",))
    assert applies_to(prod_only, "Payments", "Prod", project_tags=("regulated",))
    assert not applies_to(prod_only, "Payments", "Test", project_tags=("regulated",))
    assert not applies_to(prod_only, "Quotes", "Prod")


def test_a_policy_without_tags_ignores_them_and_merging_keeps_only_the_matching_ones():
    everywhere = ApprovalPolicy("Everywhere", users=("carol",))
    merged = matching([everywhere, REGULATED], "Quotes", "Prod", environment_tags=("regulated",))
    assert merged is not None and merged.policies == ("Everywhere", "Regulated")
    merged = matching([everywhere, REGULATED], "Quotes", "Prod")
    assert merged is not None and merged.policies == ("Everywhere",)


def test_tags_are_kept_once_in_the_spelling_first_given_and_bad_ones_name_their_place():
    assert validate_tags(["PCI", "regulated", "pci"]) == ("PCI", "regulated")
    with pytest.raises(InvalidInput) as refused:
        validate_tags(["ok", "has space"], field="projects[0].tags")
    assert refused.value.field == "projects[0].tags[1]"
    with pytest.raises(InvalidInput, match="list"):
        validate_tags("pci")


words = st.text(alphabet="abcXYZ-1", min_size=1, max_size=6).filter(lambda w: w[0] != "-")


@given(st.lists(words, max_size=4), st.lists(words, max_size=4), st.lists(words, max_size=4), st.randoms())
def test_matching_is_case_insensitive_and_order_independent(scope, project, environment, rnd):
    expected = carries_any(scope, project, environment)
    assert expected == (not scope or bool({t.lower() for t in scope} & {t.lower() for t in project + environment}))
    shuffled = [list(x) for x in (scope, project, environment)]
    for items in shuffled:
        rnd.shuffle(items)
    assert carries_any([t.swapcase() for t in scope], [t.upper() for t in project], environment) == expected
    assert carries_any(shuffled[0], shuffled[2], shuffled[1]) == expected
