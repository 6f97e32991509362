"""Evaluation: resolution, scopes, conditionals, loops, recursion, and how failures are reported."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from seaway.domain.templates import (
    RecursiveDefinition,
    SubstitutionFailed,
    VariableSet,
    evaluate,
    evaluate_truthy,
    evaluate_with_errors,
)
from seaway.errors import InvalidInput, TemplateSyntaxError

NOW = datetime(2030, 5, 22, 7, 5, 0, tzinfo=UTC)
STEPS = {
    "Octopus.Action[Build].Name": "Build",
    "Octopus.Action[Build].Output.Version": "1.2.3",
    "Octopus.Action[Deploy web].Name": "Deploy",
    "Octopus.Action[Deploy web].Output.Url": "https://web.example.org",
}


def test_names_are_case_insensitive_and_the_later_definition_wins() -> None:
    variables = VariableSet([("Server.Name", "first"), ("SERVER.NAME", "second")])

    assert evaluate("#{server.name} #{Server.Name}", variables, now=NOW) == "second second"


def test_every_value_is_itself_a_template() -> None:
    variables = {"Url": "https://#{Host | ToLower}:#{Port}", "Host": "WEB01", "Port": "8443"}

    assert evaluate("#{Url}/health", variables, now=NOW) == "https://web01:8443/health"


def test_output_variables_are_reached_through_step_indexers() -> None:
    assert evaluate("#{Octopus.Action[Deploy web].Output.Url}", STEPS, now=NOW) == "https://web.example.org"


def test_an_indexer_can_take_its_index_from_another_variable() -> None:
    variables = {**STEPS, "Step": "Build"}

    assert evaluate("v#{Octopus.Action[#{Step}].Output.Version}", variables, now=NOW) == "v1.2.3"


def test_an_indexer_whose_variable_is_missing_leaves_the_whole_expression() -> None:
    result = evaluate_with_errors("#{Octopus.Action[#{Step}].Name}", STEPS, now=NOW)

    assert result.text == "#{Octopus.Action[#{Step}].Name}"
    assert result.unresolved == ("#{Octopus.Action[#{Step}].Name}",)


def test_each_iterates_index_entries_in_definition_order_with_first_last_and_index() -> None:
    template = (
        "#{each step in Octopus.Action}"
        "#{Octopus.Template.Each.Index}:#{step}=#{step.Name}"
        "#{if Octopus.Template.Each.First}(first)#{/if}#{unless Octopus.Template.Each.Last}, #{/unless}"
        "#{/each}"
    )

    assert evaluate(template, STEPS, now=NOW) == "0:Build=Build(first), 1:Deploy web=Deploy"


def test_nested_loops_see_their_own_specials_and_the_outer_loop_variable() -> None:
    variables = {"Rows": "a,b", "Columns": "1,2"}
    template = "#{each r in Rows}#{each c in Columns}#{r}#{c}@#{Octopus.Template.Each.Index} #{/each}#{/each}"

    assert evaluate(template, variables, now=NOW) == "a1@0 a2@1 b1@0 b2@1 "


def test_a_value_found_outside_the_loop_is_evaluated_where_it_was_found() -> None:
    variables = {"Items": "x,y", "Greeting": "hello #{item}"}

    result = evaluate_with_errors("#{each item in Items}#{Greeting};#{/each}", variables, now=NOW)

    assert result.text == "hello #{item};hello #{item};"
    assert result.unresolved == ("#{item}",)


def test_iterating_something_that_is_not_defined_gives_nothing() -> None:
    assert evaluate_with_errors("[#{each x in Nothing}#{x}#{/each}]", {}, now=NOW).text == "[]"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", "yes"),
        ("True", "yes"),
        ("anything", "yes"),
        ("", "no"),
        ("0", "no"),
        ("false", "no"),
        (" FALSE ", "no"),
        ("No", "no"),
    ],
)
def test_conditions_use_octopus_truthiness(value: str, expected: str) -> None:
    assert evaluate("#{if Flag}yes#{else}no#{/if}", {"Flag": value}, now=NOW) == expected


def test_elseif_takes_the_first_branch_that_holds() -> None:
    template = '#{if Env == "Dev"}d#{elseif Env == "Test"}t#{elseif Env | StartsWith Pro}p#{else}?#{/if}'

    rendered = [evaluate(template, {"Env": env}, now=NOW) for env in ("Dev", "Test", "Production", "QA")]

    assert rendered == ["d", "t", "p", "?"]


def test_comparisons_are_exact_and_missing_variables_compare_as_empty() -> None:
    assert evaluate('#{if A == "x"}eq#{else}ne#{/if}', {"A": "X"}, now=NOW) == "ne"
    assert evaluate("#{if Missing1 == Missing2}eq#{/if}", {}, now=NOW) == "eq"
    assert evaluate('#{if A != ""}set#{else}unset#{/if}', {}, now=NOW) == "unset"


def test_a_condition_whose_filter_fails_echoes_the_block() -> None:
    result = evaluate_with_errors("#{if A | NoSuchFilter}yes#{/if}", {"A": "1"}, now=NOW)

    assert result.text == "#{if A | NoSuchFilter}yes#{/if}"
    assert result.unresolved == ("A | NoSuchFilter",)


def test_unresolved_expressions_are_left_as_written_and_listed_once_in_order() -> None:
    result = evaluate_with_errors("#{B} #{A} #{B} #{Known}", {"Known": "k"}, now=NOW)

    assert result.text == "#{B} #{A} #{B} k"
    assert result.unresolved == ("#{B}", "#{A}")
    assert result.error == "The following tokens were unable to be evaluated: '#{B}', '#{A}'"
    assert not result.succeeded


def test_unresolved_tokens_inside_a_value_are_reported_too() -> None:
    result = evaluate_with_errors("#{Url}", {"Url": "http://#{Host}/"}, now=NOW)

    assert result.text == "http://#{Host}/"
    assert result.unresolved == ("#{Host}",)


def test_fail_on_unresolved_raises_naming_the_expression() -> None:
    with pytest.raises(SubstitutionFailed) as raised:
        evaluate("db=#{Database.Host | ToLower}", {}, fail_on_unresolved=True, now=NOW)

    assert isinstance(raised.value, InvalidInput)
    assert raised.value.unresolved == ("#{Database.Host | ToLower}",)
    assert "#{Database.Host | ToLower}" in str(raised.value)


def test_fail_on_unresolved_passes_when_everything_resolves() -> None:
    assert evaluate("#{A}", {"A": "1"}, fail_on_unresolved=True, now=NOW) == "1"


def test_fail_on_unresolved_raises_a_syntax_error_for_a_template_that_does_not_parse() -> None:
    with pytest.raises(TemplateSyntaxError):
        evaluate("#{A", {}, fail_on_unresolved=True, now=NOW)


def test_a_variable_that_refers_to_itself_is_detected() -> None:
    with pytest.raises(RecursiveDefinition) as raised:
        evaluate("#{A}", {"A": "x#{A}"}, now=NOW)

    assert raised.value.chain == ("A", "A")
    assert isinstance(raised.value, InvalidInput)


def test_a_loop_through_several_variables_is_detected_and_named() -> None:
    variables = {"A": "#{B}", "B": "#{c}", "C": "#{a}"}

    with pytest.raises(RecursiveDefinition) as raised:
        evaluate("start #{A}", variables, now=NOW)

    assert "(A -> B -> c -> a)" in str(raised.value)


def test_using_one_variable_twice_is_not_a_loop() -> None:
    variables = {"A": "#{B}#{B}", "B": "#{C}-#{C}", "C": "x"}

    assert evaluate("#{A}", variables, now=NOW) == "x-xx-x"


def test_a_null_filter_makes_the_whole_result_null_unless_its_branch_is_not_taken() -> None:
    assert evaluate_with_errors("before #{ | null } after", {}, now=NOW).text is None
    assert evaluate("before #{ | null } after", {}, now=NOW) == ""
    assert evaluate_with_errors("#{if F}#{ | null }#{/if}ok", {"F": "false"}, now=NOW).text == "ok"
    assert evaluate_with_errors("#{ | Null }", {}, now=NOW).text == "#{ | Null}"


def test_evaluate_truthy_is_false_when_anything_is_unresolved() -> None:
    assert evaluate_truthy("#{Flag}", {"Flag": "yes"}, now=NOW)
    assert not evaluate_truthy("#{Flag}", {"Flag": "no"}, now=NOW)
    assert not evaluate_truthy("#{Missing}", {}, now=NOW)


def test_a_variable_set_is_built_once_and_reused() -> None:
    variables = VariableSet({"Name": "web", "Names": "a,b"})

    assert evaluate("#{Name}", variables, now=NOW) == "web"
    assert evaluate("#{each n in Names}#{n}#{/each}", variables, now=NOW) == "ab"
    assert variables.get("name", now=NOW) == "web"
    assert variables.raw("NAMES") == "a,b"
    assert variables.get("Missing", now=NOW) is None
    assert "NAME" in variables
    assert len(variables) == 2


def test_a_variable_defined_as_null_is_empty_not_missing() -> None:
    result = evaluate_with_errors("[#{A}]", {"A": None}, now=NOW)

    assert result.text == "[]"
    assert result.error is None


def test_names_that_are_not_paths_are_ignored() -> None:
    variables = VariableSet({"": "x", " ": "y", "Ok": "z"})

    assert evaluate("#{Ok}", variables, now=NOW) == "z"
    assert variables.indexes("") == ()


def test_indexes_lists_index_names_in_definition_order() -> None:
    variables = VariableSet({**STEPS, "Octopus.Action[].Name": "blank"})

    assert variables.indexes("Octopus.Action") == ("Build", "Deploy web", "")
    assert variables.indexes("octopus.action[build]") == ()


def test_now_comes_from_the_caller_and_its_zone_is_the_local_zone() -> None:
    now = datetime(2030, 5, 22, 7, 5, 0, tzinfo=UTC)
    sydney = now.astimezone(timezone(timedelta(hours=10)))

    assert evaluate("#{ | NowDateUtc}", {}, now=now) == "2030-05-22T07:05:00.0000000Z"
    assert evaluate("#{ | NowDate}", {}, now=sydney) == "2030-05-22T17:05:00.0000000"
    assert evaluate('#{ | NowDate "yyyy-MM-dd zzz"}', {}, now=sydney) == "2030-05-22 +10:00"


def test_a_naive_now_is_taken_to_be_utc() -> None:
    naive = datetime(2030, 5, 22, 7, 5, 0)

    assert evaluate("#{ | NowDateUtc}", {}, now=naive) == "2030-05-22T07:05:00.0000000Z"
    assert evaluate('#{ | NowDate "HH:mm zzz"}', {}, now=naive) == "07:05 +00:00"


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("(A+B)*2", "24"),
        ("A + B * 2", "19"),
        ("{A}/2", "2.5"),
        ("B*0.2", "1.4000000000000001"),
        ("{A}-{B}", "-2"),
        ("1/0", "Infinity"),
        ("A-B", "#{A-B}"),
        ("Missing+1", "#{Missing+1}"),
    ],
)
def test_calc_does_double_arithmetic_and_echoes_what_it_cannot_compute(expression: str, expected: str) -> None:
    assert evaluate(f"#{{calc {expression}}}", {"A": "5", "B": "7"}, now=NOW) == expected
