"""Which steps run: environment conditions, run conditions, groups of parallel steps, and validation."""

from __future__ import annotations

import pytest

from seaway.domain.process import (
    EnvironmentCondition,
    RunCondition,
    SkipReason,
    StartTrigger,
    Step,
    StepType,
    has_gates,
    skip_reason,
    step_groups,
    validate_process,
)
from seaway.errors import InvalidInput


def step(name="S", type_=StepType.NOOP, **fields):
    return Step(name=name, type=type_, **fields)


@pytest.mark.parametrize(
    ("fields", "failed", "condition", "expected"),
    [
        ({}, False, None, None),
        ({}, True, None, SkipReason.EARLIER_FAILURE),
        ({"enabled": False}, False, None, SkipReason.DISABLED),
        ({"environments": EnvironmentCondition(skip=("dev",))}, False, None, SkipReason.ENVIRONMENT),
        ({"environments": EnvironmentCondition(only=("Prod",))}, False, None, SkipReason.ENVIRONMENT),
        ({"environments": EnvironmentCondition(only=("DEV",))}, False, None, None),
        ({"run_condition": RunCondition.FAILURE}, False, None, SkipReason.NO_FAILURE),
        ({"run_condition": RunCondition.FAILURE}, True, None, None),
        ({"run_condition": RunCondition.ALWAYS}, True, None, None),
        ({"run_condition": RunCondition.VARIABLE, "condition_expression": "#{X}"}, True, True, None),
        (
            {"run_condition": RunCondition.VARIABLE, "condition_expression": "#{X}"},
            False,
            False,
            SkipReason.CONDITION_FALSE,
        ),
    ],
)
def test_skip_reason(fields, failed, condition, expected):
    assert skip_reason(step(**fields), "Dev", failed=failed, condition_true=condition) == expected


def test_a_with_previous_step_joins_the_group_of_the_step_before_it():
    steps = [step("A"), step("B", start=StartTrigger.WITH_PREVIOUS), step("C"), step("D")]
    assert step_groups(steps) == [[0, 1], [2], [3]]
    assert step_groups([step("A", start=StartTrigger.WITH_PREVIOUS)]) == [[0]]


@pytest.mark.parametrize(
    ("steps", "field"),
    [
        ([step(" ")], "p[0].name"),
        ([step("A"), step("a")], "p[1].name"),
        ([step(environments=EnvironmentCondition(skip=("Qa",)))], "p[0].environments.skip[0]"),
        ([step(type_=StepType.SCRIPT)], "p[0].script"),
        ([step(properties={"colour": "red"})], "p[0].colour"),
        ([step(run_condition=RunCondition.VARIABLE)], "p[0].run_condition"),
        ([step(type_=StepType.SCRIPT, properties={"script": "x", "syntax": "perl"})], "p[0].syntax"),
        ([step(type_=StepType.SCRIPT, properties={"script": "x", "run_on": "moon"})], "p[0].run_on"),
        ([step(type_=StepType.SCRIPT, properties={"script": "x", "timeout": 0})], "p[0].timeout"),
        ([step(type_=StepType.SCRIPT, properties={"script": "x", "timeout": True})], "p[0].timeout"),
        ([step(type_=StepType.SCRIPT, properties={"script": "x", "timeout": 30 * 24 * 3600 + 1})], "p[0].timeout"),
        ([step(type_=StepType.SCRIPT, properties={"script": "x", "timeout": float("nan")})], "p[0].timeout"),
        ([step(type_=StepType.SCRIPT, properties={"script": "x", "timeout": 10**400})], "p[0].timeout"),
        ([step(type_=StepType.SEND_EMAIL, properties={"subject": "s", "to": "a@b.c"})], "p[0].to"),
        (
            [step(type_=StepType.MANUAL_INTERVENTION, properties={"allow_self_approval": "ture"})],
            "p[0].allow_self_approval",
        ),
        ([step(type_=StepType.MANUAL_INTERVENTION, properties={"email_links": 2})], "p[0].email_links"),
    ],
)
def test_invalid_processes_name_the_field(steps, field):
    with pytest.raises(InvalidInput) as error:
        validate_process(steps, ["Dev"], path="p")
    assert error.value.field == field


def test_a_valid_process_passes():
    validate_process(
        [
            step("Script", StepType.SCRIPT, properties={"script": "echo", "syntax": "python", "timeout": 5}),
            step("Mail", StepType.SEND_EMAIL, properties={"subject": "s", "to": ["a@b.c"], "is_html": "yes"}),
            step("Gate", StepType.MANUAL_INTERVENTION, properties={"email_links": True, "allow_self_approval": False}),
            step("Prod only", environments=EnvironmentCondition(only=("dev",))),
        ],
        ["Dev"],
        path="p",
    )
    assert step(properties={"a": 1}).prop("a") == 1
    assert step().prop("missing", "default") == "default"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, False), (True, True), (False, False), ("yes", True), (" On ", True), ("1", True), ("no", False)],
)
def test_a_switch_reads_yaml_booleans_and_the_words_validation_accepts(value, expected):
    properties = {} if value is None else {"email_links": value}
    assert step(type_=StepType.MANUAL_INTERVENTION, properties=properties).flag("email_links") is expected
    assert step().flag("email_links", default=True) is True


def test_a_process_has_gates_only_when_a_step_stops_for_a_person():
    script = Step("Build", StepType.SCRIPT)
    gate = Step("Sign off", StepType.MANUAL_INTERVENTION)
    assert not has_gates([script])
    assert has_gates([script, gate])
