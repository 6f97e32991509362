"""Properties that hold for every template, checked on generated ones."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from seaway.domain.templates import evaluate, evaluate_with_errors, parse
from seaway.errors import TemplateSyntaxError

NOW = datetime(2030, 5, 22, 7, 5, 0, tzinfo=UTC)

NAMES = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,8}(\.[A-Za-z][A-Za-z0-9_]{0,8}){0,2}", fullmatch=True)
PLAIN_TEXT = st.text(st.characters(blacklist_characters="#", blacklist_categories=("Cs",)), max_size=40)
ANY_TEXT = st.text(
    st.sampled_from(list('#{}|[]"\\ .aAz0=!/-\n')) | st.characters(blacklist_categories=("Cs",)), max_size=60
)
FILTERS = st.sampled_from(
    ["ToUpper", "ToLower", "Trim", "HtmlEscape", "JsonEscape", "Md5 4", "Substring 2", "Indent 2"]
)

relaxed = settings(max_examples=150, deadline=None)


@relaxed
@given(text=st.text(max_size=80).filter(lambda t: "#{" not in t), variables=st.dictionaries(NAMES, PLAIN_TEXT))
def test_a_template_without_an_opening_token_is_returned_unchanged(text: str, variables: dict[str, str]) -> None:
    assert evaluate(text, variables, now=NOW) == text


@relaxed
@given(body=PLAIN_TEXT, variables=st.dictionaries(NAMES, PLAIN_TEXT))
def test_a_double_hash_always_renders_a_literal_opening(body: str, variables: dict[str, str]) -> None:
    assert evaluate("##{" + body + "}", variables, now=NOW) == "#{" + body + "}"


@relaxed
@given(name=NAMES, value=PLAIN_TEXT)
def test_a_defined_variable_renders_its_value_whatever_the_case_of_its_name(name: str, value: str) -> None:
    variables = {name.lower(): value}

    assert evaluate("#{" + name.upper() + "}", variables, now=NOW) == value
    assert evaluate("[#{ " + name + " }]", variables, now=NOW) == f"[{value}]"


@relaxed
@given(text=ANY_TEXT)
def test_lenient_evaluation_never_fails_and_strict_parsing_fails_only_with_a_syntax_error(text: str) -> None:
    evaluate(text, {}, halt_on_error=False, now=NOW)
    try:
        parse(text)
    except TemplateSyntaxError:
        assert evaluate_with_errors(text, {}, now=NOW).text == text


@st.composite
def templates(draw: st.DrawFn) -> str:
    pieces = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["text", "variable", "filter", "if"]))
        name = draw(NAMES)
        if kind == "text":
            pieces.append(draw(PLAIN_TEXT))
        elif kind == "variable":
            pieces.append("#{" + name + "}")
        elif kind == "filter":
            pieces.append("#{" + name + " | " + draw(FILTERS) + "}")
        else:
            pieces.append("#{if " + name + "}yes#{else}no#{/if}")
    return "".join(pieces)


@relaxed
@given(template=templates(), variables=st.dictionaries(NAMES, PLAIN_TEXT))
def test_the_canonical_text_of_a_template_evaluates_like_the_template(template: str, variables: dict[str, str]) -> None:
    canonical = str(parse(template))

    assert str(parse(canonical)) == canonical
    assert evaluate(canonical, variables, now=NOW) == evaluate(template, variables, now=NOW)


@relaxed
@given(template=templates())
def test_with_no_variables_every_substitution_is_unresolved_and_echoed(template: str) -> None:
    result = evaluate_with_errors(template, {}, now=NOW)

    assert result.text is not None
    for token in result.unresolved:
        assert token in result.text
