"""Parsing: what is a token, what is text, and how a template that does not parse is reported."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from seaway.domain.templates import argument_names, evaluate_with_errors, parse
from seaway.errors import InvalidInput, TemplateSyntaxError

NOW = datetime(2030, 5, 22, 7, 5, 0, tzinfo=UTC)


def _syntax_error(template: str) -> TemplateSyntaxError:
    with pytest.raises(TemplateSyntaxError) as raised:
        parse(template)
    return raised.value


def test_an_unclosed_if_is_reported_with_its_position() -> None:
    error = _syntax_error("first line\n  #{if Ready}go\n")

    assert "'#{if Ready}' at line 2, column 3 is never closed" in str(error)
    assert "expected '#{/if}'" in str(error)
    assert isinstance(error, InvalidInput)
    assert error.field == "template"


def test_an_unclosed_each_inside_an_if_points_at_the_each() -> None:
    error = _syntax_error("#{if A}#{each x in Items}#{x}#{/if}")

    assert "'#{each x in Items}' at line 1, column 8 is never closed" in str(error)


def test_a_missing_filter_name_is_reported_where_the_name_should_be() -> None:
    error = _syntax_error("ok\n#{Name | }")

    assert "expected a filter name" in str(error)
    assert "line 2, column 10" in str(error)


def test_a_bad_character_in_a_filter_option_is_reported_with_its_position() -> None:
    error = _syntax_error("#{Name | Replace a,b c}")

    assert "but found ','" in str(error)
    assert "column 19" in str(error)


@pytest.mark.parametrize("template", ["#{Foo", "#{}", "#{ }", "text #{/if} more", "#{unless A}x#{elseif B}y#{/unless}"])
def test_templates_octopus_cannot_parse_are_syntax_errors(template: str) -> None:
    _syntax_error(template)


def test_the_caller_can_name_the_field_in_the_error() -> None:
    with pytest.raises(TemplateSyntaxError) as raised:
        parse("#{Foo", field="steps[0].script")

    assert raised.value.field == "steps[0].script"
    assert str(raised.value).startswith("steps[0].script: ")


def test_strict_evaluation_returns_a_template_that_does_not_parse_unchanged_with_the_error() -> None:
    result = evaluate_with_errors("#{Name} #{Other", {"Name": "x"}, now=NOW)

    assert result.text == "#{Name} #{Other"
    assert result.error is not None
    assert result.error.startswith("Invalid template")


def test_lenient_parsing_keeps_a_stray_opening_as_text_and_substitutes_the_rest() -> None:
    result = evaluate_with_errors('a="#{"; b="#{Host}"', {"Host": "web"}, halt_on_error=False, now=NOW)

    assert result.text == 'a="#{"; b="web"'


def test_lenient_parsing_never_fails() -> None:
    template = parse("#{if x}#{each}#{/each #{", halt_on_error=False)

    assert "".join(token.text for token in template.tokens if hasattr(token, "text")) == "#{if x}#{each}#{/each #{"


@pytest.mark.parametrize(
    ("template", "canonical"),
    [
        ("#{  foo|X}", "#{foo | X}"),
        ("#{ | NowDate yyyy}", '#{ | NowDate "yyyy"}'),
        ("#{calc {B}-2}", "#{B-2}"),
        ("#{A[#{B}].C}", "#{A[#{B}].C}"),
        ('#{if "x" == A | ToLower}y#{/if}', '#{if A | ToLower == "x" }y#{/if}'),
        ("#{if A}a#{elseif B}b#{else}c#{/if}", "#{if A}a#{else}#{if B}b#{else}c#{/if}#{/if}"),
        ("#{unless A}u#{/unless}", "#{if A}#{else}u#{/if}"),
        ("##{literal}", "##{literal}"),
    ],
)
def test_each_token_has_a_canonical_text(template: str, canonical: str) -> None:
    assert str(parse(template)) == canonical


def test_names_may_hold_spaces_and_awkward_characters() -> None:
    variables = {"Foo Bar Jazz": "1", "a/b": "2", "a~b": "3", "(abc)": "4", "@a": "5", "a-b:c": "6"}

    result = evaluate_with_errors("#{Foo Bar Jazz} #{a/b} #{a~b} #{(abc)} #{@a} #{a-b:c}", variables, now=NOW)

    assert result.text == "1 2 3 4 5 6"


def test_hashes_escape_and_stay_as_text() -> None:
    variables = {"foo": "Abc"}

    assert evaluate_with_errors("##{foo}", variables, now=NOW).text == "#{foo}"
    assert evaluate_with_errors("###{foo}", variables, now=NOW).text == "#Abc"
    assert evaluate_with_errors("# ## ### ###### x #", variables, now=NOW).text == "# ## ### ###### x #"


def test_argument_names_lists_what_a_template_reads_but_not_loop_variables() -> None:
    names = argument_names(
        "#{A.B[c].D} #{X | Format #{Fmt}} #{P[#{Q}].R} #{if C == D}#{E}#{/if} #{calc N+1} "
        "#{each i in Items}#{i.Name}#{/each} ##{Escaped}"
    )

    assert names == {"A.B[c].D", "X", "Fmt", "P", "Q", "C", "D", "E", "N", "Items"}


def test_elseif_needs_whitespace_after_it_to_be_a_keyword() -> None:
    result = evaluate_with_errors("#{if A}a#{elseifX}#{/if}", {"A": "true", "elseifX": "!"}, now=NOW)

    assert result.text == "a!"
