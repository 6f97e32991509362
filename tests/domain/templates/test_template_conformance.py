"""Octostache's own behaviour, case by case (`shared/conformance/octostache/visible.json`).

The case format is described in section 8 of `octostache-spec.md` beside the data: each case names
a mode (evaluate, truthy, get, parse, argument_names, get_indexes), its inputs, and what to expect,
optionally compared after trimming, after deleting double quotes, or as a YAML document.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from seaway.domain.templates import (
    RecursiveDefinition,
    VariableSet,
    argument_names,
    evaluate_truthy,
    evaluate_with_errors,
    parse,
)
from seaway.domain.templates.filters.net_dates import parse_with_zone
from seaway.errors import SeawayError, TemplateSyntaxError

CASES_FILE = Path(__file__).resolve().parents[3].parent / "shared" / "conformance" / "octostache" / "visible.json"

if not CASES_FILE.exists():
    MISSING = "../shared/conformance is not beside this checkout: the Octostache conformance cases cannot be loaded"
    if os.environ.get("CI") == "true":
        # CI always lays shared/ beside its clone: there, missing cases are a broken run, not a skip.
        pytest.fail(MISSING, pytrace=False)
    pytest.skip(MISSING, allow_module_level=True)

CASES: list[dict[str, Any]] = json.loads(CASES_FILE.read_text(encoding="utf-8"))["cases"]

# Cases Seaway does not pass, with the reason. Each is an expected failure (strict: it must fail).
KNOWN_DIFFERENCES: dict[str, str] = {}

# Clock-dependent cases run at a fixed instant, so their checks are exact. The local zone is UTC, as
# on the machines the reference values were taken on (other zones are covered by Seaway's own tests).
LOCAL_ZONE = UTC
NOW = datetime(2030, 5, 22, 7, 5, 30, 123456, tzinfo=UTC)
NOW_LOCAL = NOW.astimezone(LOCAL_ZONE)


def _params() -> Iterator[Any]:
    for case in CASES:
        reason = KNOWN_DIFFERENCES.get(case["id"])
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        yield pytest.param(case, id=case["id"], marks=marks)


def _variables(case: dict[str, Any]) -> VariableSet:
    return VariableSet(list(case.get("variables", {}).items()))


def _compared(case: dict[str, Any], text: str) -> Any:
    compare = case.get("compare")
    if compare == "trim":
        return text.strip()
    if compare == "strip_double_quotes":
        return text.replace('"', "")
    if compare == "yaml_key":
        return yaml.safe_load(text)["Key"]
    assert compare is None, f"unknown compare option {compare!r}"
    return text


def _expected(case: dict[str, Any], expected: Any) -> Any:
    if case.get("compare") == "strip_double_quotes" and isinstance(expected, str):
        return expected.replace('"', "")
    return expected


def _is_now(out: str) -> bool:
    value = parse_with_zone(out, LOCAL_ZONE, NOW)
    if value is None:
        return False
    if value.offset is not None:
        instant = value.wall.replace(tzinfo=timezone(value.offset))
    else:
        instant = value.wall.replace(tzinfo=UTC if value.kind == "utc" else LOCAL_ZONE)
    return abs(instant - NOW) < timedelta(seconds=1)


def _prose_check(check: str) -> Callable[[str], bool]:
    """The assertion a nondeterministic case describes in words, made exact by the fixed `NOW`."""
    lowered = check.lower()
    if "year" in lowered:
        return lambda out: out == str(NOW_LOCAL.year)
    if "month" in lowered and "abbreviated" in lowered:
        return lambda out: out == NOW_LOCAL.strftime("%b")
    if "offset" in lowered:
        return lambda out: out in ("+00", "+00:00", "Z")
    if any(word in lowered for word in ("now", "current", "close", "time")):
        return _is_now
    # A check this test cannot read: the evaluation must at least have produced something.
    return bool


def _check_errors(case: dict[str, Any], error: str | None) -> None:
    if "reports_error" in case:
        assert (error is not None) == case["reports_error"], error
    if "error_message" in case:
        assert error == case["error_message"]


def _evaluate_case(case: dict[str, Any]) -> None:
    variables = _variables(case)
    halt = case.get("halt_on_error", True)
    if case.get("expect_error"):
        recursive = "recursive" in case.get("error_kind", "").lower()
        with pytest.raises(RecursiveDefinition if recursive else SeawayError) as raised:
            evaluate_with_errors(case["template"], variables, halt_on_error=halt, now=NOW_LOCAL)
        if recursive and "error_message" in case:
            assert str(raised.value) == case["error_message"]
        return
    result = evaluate_with_errors(case["template"], variables, halt_on_error=halt, now=NOW_LOCAL)
    _check_errors(case, result.error)
    if "expected" in case and case["expected"] is None:
        assert result.text is None
        return
    assert result.text is not None
    actual = _compared(case, result.text)
    if "expected" in case:
        assert actual == _expected(case, case["expected"])
    elif "expected_one_of" in case:
        assert actual in [_expected(case, option) for option in case["expected_one_of"]]
    else:
        assert _prose_check(case["check"])(actual), f"{actual!r} does not satisfy: {case['check']}"


def _truthy_case(case: dict[str, Any]) -> None:
    assert evaluate_truthy(case["template"], _variables(case), now=NOW_LOCAL) is case["expected"]


def _get_case(case: dict[str, Any]) -> None:
    result = _variables(case).get_with_errors(case["name"], now=NOW_LOCAL)
    assert result is not None
    _check_errors(case, result.error)
    if "expected" in case:
        assert result.text == case["expected"]


def _parse_case(case: dict[str, Any]) -> None:
    try:
        parse(case["template"], halt_on_error=case.get("halt_on_error", True))
    except TemplateSyntaxError:
        failed = True
    else:
        failed = False
    assert failed is case["expect_parse_error"]


def _argument_names_case(case: dict[str, Any]) -> None:
    names = argument_names(case["template"])
    assert set(case.get("expected_contains", [])) <= names
    assert not set(case.get("expected_not_contains", [])) & names


def _get_indexes_case(case: dict[str, Any]) -> None:
    indexes = _variables(case).indexes(case["collection"])
    assert sorted(indexes) == sorted(case["expected_unordered"])


MODES: dict[str, Callable[[dict[str, Any]], None]] = {
    "evaluate": _evaluate_case,
    "truthy": _truthy_case,
    "get": _get_case,
    "parse": _parse_case,
    "argument_names": _argument_names_case,
    "get_indexes": _get_indexes_case,
}


def test_every_case_has_a_mode_this_test_knows() -> None:
    unknown = {case.get("mode", "evaluate") for case in CASES} - set(MODES)
    assert not unknown


def test_every_known_difference_names_a_case() -> None:
    assert set(KNOWN_DIFFERENCES) <= {case["id"] for case in CASES}


@pytest.mark.parametrize("case", list(_params()))
def test_the_octostache_case_behaves_as_in_octopus(case: dict[str, Any]) -> None:
    MODES[case.get("mode", "evaluate")](case)
