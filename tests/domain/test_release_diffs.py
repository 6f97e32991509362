"""What changed in a release's content, in words: variables by name and scope, packages, steps; never a
sensitive value."""

from __future__ import annotations

from datetime import UTC, datetime

from seaway.domain.packages import PackageReference
from seaway.domain.process import Step, StepType
from seaway.domain.release_diffs import package_changes, release_changes, scope_words, step_changes, variable_changes
from seaway.domain.releases import Release
from seaway.domain.variables import Scope, Variable

PROD = Scope(environments=frozenset({"Prod"}))


def test_variables_added_removed_and_changed_are_named_with_their_scope():
    before = [Variable("Url", "http://a"), Variable("Url", "http://prod", PROD), Variable("Old", "x")]
    after = [Variable("Url", "http://b"), Variable("Url", "http://prod", PROD), Variable("New", "y", PROD)]
    assert variable_changes(before, after) == (
        "variable New (environment Prod) added",
        "variable Old (unscoped) removed",
        'variable Url (unscoped) changed: "http://a" → "http://b"',
    )


def test_a_sensitive_value_is_never_shown():
    before = [Variable("Password", "hunter2", sensitive=True)]
    after = [Variable("Password", "correct horse", sensitive=True)]
    lines = variable_changes(before, after)
    assert lines == ("variable Password (unscoped) changed (sensitive value)",)
    assert not any("hunter2" in line or "correct horse" in line for line in lines)
    made_sensitive = variable_changes([Variable("Token", "plain")], [Variable("Token", "plain", sensitive=True)])
    assert made_sensitive == ("variable Token (unscoped) changed (sensitive value)",)


def test_a_long_value_is_cut_and_scopes_read_in_a_fixed_order():
    line = variable_changes([Variable("Big", "a")], [Variable("Big", "b" * 200)])[0]
    assert line.endswith('…"') and len(line) < 120
    scope = Scope(environments=frozenset({"Test", "Prod"}), roles=frozenset({"web"}))
    assert scope_words(scope) == "environment Prod, Test; role web"


def test_packages_and_steps():
    assert package_changes(
        [PackageReference("Deploy", "Acme.Web", "1.0.0")], [PackageReference("Deploy", "Acme.Web", "1.0.1")]
    ) == ("package of step Deploy: Acme.Web 1.0.0 → Acme.Web 1.0.1",)
    hello = Step("Hello", StepType.SCRIPT, {"script": "echo hi"})
    assert step_changes(
        [hello], [Step("Hello", StepType.SCRIPT, {"script": "echo bye"}), Step("Two", StepType.NOOP)]
    ) == (
        "step Two added",
        "step Hello changed",
    )
    assert step_changes([hello, Step("Two", StepType.NOOP)], [Step("Two", StepType.NOOP), hello]) == (
        "the steps' order changed",
    )


def test_a_release_diff_puts_steps_variables_and_packages_together():
    at = datetime(2026, 1, 1, tzinfo=UTC)
    before = Release(1, "1.0", (), (Variable("A", "1"),), at)
    after = Release(1, "1.0", (Step("S", StepType.NOOP),), (Variable("A", "2"),), at)
    assert release_changes(before, after) == ("step S added", 'variable A (unscoped) changed: "1" → "2"')
    assert release_changes(before, before) == ()
