from __future__ import annotations

from dataclasses import fields, replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seaway.domain.variables import (
    Prompt,
    Scope,
    ScopeContext,
    Variable,
    applies,
    apply_prompted,
    combine,
    resolve,
    sensitive_values,
    specificity,
)
from seaway.errors import InvalidInput

DIMENSIONS = [f.name for f in fields(Scope)]

# A context in which a value scoped on any one dimension (to the names below) applies.
EVERYWHERE = ScopeContext(
    environment="Production",
    roles=frozenset({"web", "db"}),
    target="web-01",
    step="Deploy site",
    channel="Hotfix",
    tenant="Acme",
)
MATCHING = {
    "environments": "Production",
    "roles": "web",
    "targets": "web-01",
    "steps": "Deploy site",
    "channels": "Hotfix",
    "tenants": "Acme",
}


def make_scope(*dimensions: str, **names: str | set[str]) -> Scope:
    """A scope on the given dimensions (to the names EVERYWHERE matches) plus explicit names."""
    values: dict[str, frozenset[str]] = {dimension: frozenset({MATCHING[dimension]}) for dimension in dimensions}
    for dimension, listed in names.items():
        values[dimension] = frozenset({listed} if isinstance(listed, str) else listed)
    return Scope(**values)


def make_variable(name: str = "Greeting", value: str = "hello", scope: Scope | None = None, **overrides) -> Variable:
    return Variable(name=name, value=value, scope=scope or Scope(), **overrides)


def winner(variables: list[Variable], context: ScopeContext = EVERYWHERE, name: str = "Greeting") -> str:
    return resolve(variables, context)[name].value


# --- Scope -------------------------------------------------------------------------------------


def test_a_scope_with_no_names_is_unscoped() -> None:
    assert Scope().is_unscoped()


@pytest.mark.parametrize("dimension", DIMENSIONS)
def test_a_scope_with_names_in_any_dimension_is_scoped(dimension: str) -> None:
    assert not make_scope(dimension).is_unscoped()


# --- applies -----------------------------------------------------------------------------------


def test_an_unscoped_value_applies_everywhere() -> None:
    assert applies(make_variable(), ScopeContext())
    assert applies(make_variable(), EVERYWHERE)


@pytest.mark.parametrize("dimension", DIMENSIONS)
def test_a_value_applies_when_the_context_matches_its_dimension(dimension: str) -> None:
    assert applies(make_variable(scope=make_scope(dimension)), EVERYWHERE)


@pytest.mark.parametrize(
    ("dimension", "other"),
    [
        ("environments", "Staging"),
        ("roles", "worker"),
        ("targets", "web-02"),
        ("steps", "Migrate database"),
        ("channels", "Default"),
        ("tenants", "Globex"),
    ],
)
def test_a_value_scoped_to_another_name_does_not_apply(dimension: str, other: str) -> None:
    assert not applies(make_variable(scope=make_scope(**{dimension: other})), EVERYWHERE)


@pytest.mark.parametrize("dimension", DIMENSIONS)
def test_a_scoped_dimension_does_not_apply_where_the_context_has_none(dimension: str) -> None:
    assert not applies(make_variable(scope=make_scope(dimension)), ScopeContext())


def test_a_value_applies_when_the_context_matches_any_listed_name() -> None:
    scope = make_scope(environments={"Staging", "Production"})
    assert applies(make_variable(scope=scope), ScopeContext(environment="Production"))


def test_a_role_scoped_value_applies_when_the_target_has_any_listed_role() -> None:
    scope = make_scope(roles={"db", "cache"})
    assert applies(make_variable(scope=scope), ScopeContext(roles=frozenset({"web", "db"})))
    assert not applies(make_variable(scope=scope), ScopeContext(roles=frozenset({"web"})))


def test_every_scoped_dimension_must_match() -> None:
    scope = make_scope(environments="Production", roles="worker")
    assert not applies(make_variable(scope=scope), EVERYWHERE)


def test_scope_names_match_case_insensitively() -> None:
    scope = make_scope(environments="PRODUCTION", roles="WEB", steps="deploy SITE")
    assert applies(make_variable(scope=scope), EVERYWHERE)


# --- specificity, one rule at a time ------------------------------------------------------------


@pytest.mark.parametrize("dimension", DIMENSIONS)
def test_any_explicit_scope_is_more_specific_than_none(dimension: str) -> None:
    assert specificity(make_scope(dimension)) > specificity(Scope())


@pytest.mark.parametrize(
    ("more", "less"),
    [
        ("steps", "targets"),
        ("targets", "roles"),
        ("roles", "tenants"),
        ("tenants", "environments"),
        ("environments", "channels"),
    ],
)
def test_octopus_precedence_between_two_dimensions(more: str, less: str) -> None:
    assert specificity(make_scope(more)) > specificity(make_scope(less))


@pytest.mark.parametrize("dimension", DIMENSIONS)
def test_adding_a_dimension_makes_a_scope_more_specific(dimension: str) -> None:
    others = [d for d in DIMENSIONS if d != dimension]
    for base in (others[:1], others[:3], others):
        assert specificity(make_scope(*base, dimension)) > specificity(make_scope(*base))


def test_a_higher_dimension_outweighs_any_number_of_lower_ones() -> None:
    lower = ["targets", "roles", "tenants", "environments", "channels"]
    assert specificity(make_scope("steps")) > specificity(make_scope(*lower))


def test_the_number_of_names_in_a_dimension_does_not_count() -> None:
    assert specificity(make_scope(environments={"Test", "Production"})) == specificity(make_scope("environments"))


# --- resolve -----------------------------------------------------------------------------------


def test_the_environment_value_wins_over_the_unscoped_default() -> None:
    variables = [make_variable(value="Info"), make_variable(value="Warn", scope=make_scope("environments"))]
    assert winner(variables) == "Warn"
    assert winner(variables, ScopeContext(environment="Development")) == "Info"


def test_a_target_value_wins_over_a_role_value_and_a_role_value_over_an_environment_value() -> None:
    variables = [
        make_variable(value="environment", scope=make_scope("environments")),
        make_variable(value="target", scope=make_scope("targets")),
        make_variable(value="role", scope=make_scope("roles")),
    ]
    assert winner(variables) == "target"
    assert winner(variables, replace(EVERYWHERE, target="web-02")) == "role"
    assert winner(variables, replace(EVERYWHERE, target="web-02", roles=frozenset())) == "environment"


def test_on_equal_specificity_the_value_defined_first_wins() -> None:
    first = make_variable(value="first", scope=make_scope(environments={"Staging", "Production"}))
    second = make_variable(value="second", scope=make_scope("environments"))
    assert winner([first, second]) == "first"
    assert winner([second, first]) == "second"


def test_names_compare_case_insensitively_and_keep_their_first_spelling() -> None:
    variables = [
        make_variable(name="ConnectionString", value="default"),
        make_variable(name="connectionstring", value="production", scope=make_scope("environments")),
    ]
    resolved = resolve(variables, EVERYWHERE)
    assert list(resolved) == ["ConnectionString"]
    assert resolved["ConnectionString"].value == "production"


def test_a_name_with_no_applicable_value_is_left_out() -> None:
    variables = [make_variable(name="Only.Staging", scope=make_scope(environments="Staging")), make_variable()]
    assert list(resolve(variables, EVERYWHERE)) == ["Greeting"]


def test_resolved_names_come_in_order_of_first_definition() -> None:
    variables = [
        make_variable(name="B"),
        make_variable(name="A", scope=make_scope("steps")),
        make_variable(name="b", scope=make_scope("steps")),
    ]
    assert list(resolve(variables, EVERYWHERE)) == ["B", "A"]


def test_resolving_nothing_gives_nothing() -> None:
    assert resolve([], EVERYWHERE) == {}


# --- combine -----------------------------------------------------------------------------------


def test_a_project_value_beats_a_library_value_of_equal_specificity() -> None:
    project = [make_variable(value="project", scope=make_scope("environments"))]
    library = [make_variable(value="library", scope=make_scope("environments"))]
    assert winner(list(combine(project, [library]))) == "project"


def test_an_earlier_included_library_set_beats_a_later_one() -> None:
    first = [make_variable(value="first set")]
    second = [make_variable(value="second set")]
    assert winner(list(combine([], [first, second]))) == "first set"
    assert winner(list(combine([], [second, first]))) == "second set"


def test_a_more_specific_library_value_beats_a_project_value() -> None:
    project = [make_variable(value="project")]
    library = [make_variable(value="library", scope=make_scope("environments"))]
    assert winner(list(combine(project, [library]))) == "library"


def test_combine_keeps_every_value_in_order() -> None:
    a, b, c = make_variable(name="A"), make_variable(name="B"), make_variable(name="C")
    assert combine([a], [[b], [], [c]]) == (a, b, c)


# --- apply_prompted ----------------------------------------------------------------------------


def make_prompted(name: str = "Release.Notes", value: str = "", *, required: bool = False) -> Variable:
    return make_variable(name=name, value=value, prompt=Prompt(label="Release notes", required=required))


def test_a_prompted_variable_takes_the_supplied_value() -> None:
    (variable,) = apply_prompted([make_prompted(value="none")], {"Release.Notes": "Fixes #12"})
    assert variable.value == "Fixes #12"
    assert variable.prompt is not None


def test_a_prompted_variable_keeps_its_default_when_nothing_is_supplied() -> None:
    original = make_prompted(value="none", required=True)
    assert apply_prompted([original], {}) == (original,)


def test_supplied_names_match_prompted_variables_case_insensitively() -> None:
    (variable,) = apply_prompted([make_prompted()], {"release.notes": "Fixes #12"})
    assert variable.value == "Fixes #12"
    assert variable.name == "Release.Notes"


def test_variables_without_a_prompt_are_left_alone() -> None:
    plain = make_variable()
    assert apply_prompted([plain, make_prompted()], {"Release.Notes": "x"})[0] is plain


def test_a_required_prompt_without_a_value_names_the_variable_and_its_label() -> None:
    with pytest.raises(InvalidInput) as raised:
        apply_prompted([make_prompted(required=True)], {})
    assert raised.value.field == "variables.Release.Notes"
    assert "Release.Notes" in raised.value.message
    assert "Release notes" in raised.value.message


def test_an_empty_supplied_value_does_not_satisfy_a_required_prompt() -> None:
    with pytest.raises(InvalidInput) as raised:
        apply_prompted([make_prompted(value="default", required=True)], {"Release.Notes": ""})
    assert raised.value.field == "variables.Release.Notes"


def test_an_optional_prompt_may_be_left_empty() -> None:
    (variable,) = apply_prompted([make_prompted(value="default")], {"Release.Notes": ""})
    assert variable.value == ""


def test_a_supplied_value_for_a_variable_without_a_prompt_is_rejected() -> None:
    with pytest.raises(InvalidInput) as raised:
        apply_prompted([make_variable(), make_prompted()], {"Greeting": "hi"})
    assert raised.value.field == "variables.Greeting"
    assert "Greeting" in raised.value.message


def test_a_supplied_value_for_an_unknown_name_is_rejected() -> None:
    with pytest.raises(InvalidInput) as raised:
        apply_prompted([make_prompted()], {"Nope": "x"})
    assert raised.value.field == "variables.Nope"


def test_a_value_supplied_twice_under_different_cases_is_rejected() -> None:
    with pytest.raises(InvalidInput) as raised:
        apply_prompted([make_prompted()], {"Release.Notes": "a", "RELEASE.NOTES": "b"})
    assert raised.value.field == "variables.RELEASE.NOTES"


# --- sensitive_values --------------------------------------------------------------------------


def test_sensitive_values_are_the_non_empty_values_of_sensitive_variables() -> None:
    variables = [
        make_variable(value="s3cret", sensitive=True),
        make_variable(value="", sensitive=True),
        make_variable(value="public"),
    ]
    assert sensitive_values(variables) == frozenset({"s3cret"})


# --- properties --------------------------------------------------------------------------------

NAMES = st.sampled_from(["Greeting", "greeting", "Database", "Url"])
LISTED = {
    "environments": ["Development", "Staging", "Production"],
    "roles": ["web", "db", "worker"],
    "targets": ["web-01", "web-02"],
    "steps": ["Deploy site", "Migrate database"],
    "channels": ["Default", "Hotfix"],
    "tenants": ["Acme", "Globex"],
}


def _names(dimension: str) -> st.SearchStrategy[frozenset[str]]:
    return st.frozensets(st.sampled_from(LISTED[dimension]), max_size=2)


scopes = st.builds(Scope, **{dimension: _names(dimension) for dimension in DIMENSIONS})
variables = st.builds(Variable, name=NAMES, value=st.text(max_size=5), scope=scopes)


def _optional(dimension: str) -> st.SearchStrategy[str | None]:
    return st.none() | st.sampled_from(LISTED[dimension])


contexts = st.builds(
    ScopeContext,
    environment=_optional("environments"),
    roles=st.frozensets(st.sampled_from(LISTED["roles"]), max_size=2),
    target=_optional("targets"),
    step=_optional("steps"),
    channel=_optional("channels"),
    tenant=_optional("tenants"),
)


@given(st.lists(variables, max_size=8), contexts)
def test_the_winner_is_the_first_of_the_most_specific_applicable_values(values: list[Variable], context) -> None:
    for name, won in resolve(values, context).items():
        rivals = [v for v in values if v.name.lower() == name.lower() and applies(v, context)]
        best = max(specificity(rival.scope) for rival in rivals)
        assert won is next(rival for rival in rivals if specificity(rival.scope) == best)


@given(st.lists(variables, max_size=8), contexts)
def test_an_unscoped_value_never_beats_an_applicable_scoped_value(values: list[Variable], context) -> None:
    for name, won in resolve(values, context).items():
        applicable = [v for v in values if v.name.lower() == name.lower() and applies(v, context)]
        if any(not v.scope.is_unscoped() for v in applicable):
            assert not won.scope.is_unscoped()


@given(st.lists(variables, max_size=8), variables, contexts)
def test_adding_an_unrelated_variable_never_changes_another_names_winner(
    values: list[Variable], extra: Variable, context
) -> None:
    before = resolve(values, context)
    after = resolve([*values, replace(extra, name="Unrelated")], context)
    assert {k: v for k, v in after.items() if k != "Unrelated"} == before


@given(scopes, contexts)
def test_a_value_scoped_to_another_environment_never_applies(scope: Scope, context) -> None:
    elsewhere = replace(scope, environments=frozenset({"Somewhere else"}))
    assert not applies(make_variable(scope=elsewhere), context)


@given(st.lists(variables, max_size=8), contexts)
def test_every_name_with_an_applicable_value_gets_a_winner(values: list[Variable], context) -> None:
    resolved = {name.lower() for name in resolve(values, context)}
    assert resolved == {v.name.lower() for v in values if applies(v, context)}
