"""Evaluating templates: the functions the rest of Seaway calls."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Required, TypedDict, Unpack

from seaway.domain.templates.binding import VariableTree
from seaway.domain.templates.evaluator import Evaluator, is_truthy
from seaway.domain.templates.parser import ParseError, parse_outcome
from seaway.domain.templates.results import EvaluationResult, SubstitutionFailed, unresolved_message


class VariableSet(VariableTree):
    """Variables folded into a tree once, to be evaluated against many times.

    Build it from a mapping (or pairs) whose order is the definition order: index entries, and so
    `#{each}` and `[*]`, follow it. A value of None is a variable defined as empty.
    """

    def get(self, name: str, *, now: datetime) -> str | None:
        """The value of `name` evaluated as a template; None if the name is not defined."""
        result = self.get_with_errors(name, now=now)
        return None if result is None else result.text

    def get_with_errors(self, name: str, *, now: datetime) -> EvaluationResult | None:
        raw = self.raw(name)
        if raw is None:
            return None
        return evaluate_with_errors(raw, self, now=now)


Variables = Mapping[str, str | None] | VariableSet


def evaluate_with_errors(
    template: str,
    variables: Variables,
    *,
    halt_on_error: bool = True,
    fail_on_unresolved: bool = False,
    now: datetime,
    field: str = "template",
) -> EvaluationResult:
    """Evaluate `template`; the result carries Octopus's error text and the unresolved tokens.

    In strict mode (`halt_on_error`) a template that does not parse comes back unchanged, with the
    parser's message as the error; in lenient mode the parts that do not parse are kept as text.
    Unresolved expressions are left as written, unless `fail_on_unresolved`: then they raise
    `SubstitutionFailed` (and a template that does not parse raises `TemplateSyntaxError`).
    `now` is the time for `NowDate` and friends, and its zone is their local zone (a naive `now` is UTC):
    the caller reads its clock, so that the templates never do.
    """
    if "#{" not in template:
        return EvaluationResult(template)
    outcome = parse_outcome(template, halt_on_error)
    if isinstance(outcome, ParseError):
        if fail_on_unresolved:
            raise outcome.to_exception(field)
        return EvaluationResult(template, outcome.message)
    variable_set = variables if isinstance(variables, VariableSet) else VariableSet(variables)
    evaluator = Evaluator(variable_set, now if now.tzinfo is not None else now.replace(tzinfo=UTC))
    out: list[str] = []
    evaluator.render(outcome.tokens, evaluator.scope, out)
    unresolved = tuple(dict.fromkeys(evaluator.missing))
    if unresolved and fail_on_unresolved:
        raise SubstitutionFailed(unresolved, field=field)
    return EvaluationResult(
        None if evaluator.null_seen else "".join(out),
        unresolved_message(unresolved) if unresolved else None,
        unresolved,
    )


class EvaluationOptions(TypedDict, total=False):
    """The keyword arguments of `evaluate_with_errors`, for the functions that pass them on to it."""

    now: Required[datetime]
    halt_on_error: bool
    fail_on_unresolved: bool
    field: str


def evaluate(template: str, variables: Variables, **options: Unpack[EvaluationOptions]) -> str:
    """The text of `template` with its expressions substituted (`""` if it evaluates to null)."""
    return evaluate_with_errors(template, variables, **options).text or ""


def evaluate_truthy(template: str, variables: Variables, *, now: datetime) -> bool:
    """Whether `template` evaluates, without errors, to a truthy value (not `""`, `0`, `false`, `no`)."""
    result = evaluate_with_errors(template, variables, now=now)
    return result.error is None and result.text is not None and is_truthy(result.text)


def argument_names(template: str, *, halt_on_error: bool = True) -> frozenset[str]:
    """The variable names `template` refers to (see `Template.argument_names`)."""
    outcome = parse_outcome(template, halt_on_error)
    if isinstance(outcome, ParseError):
        raise outcome.to_exception()
    return outcome.argument_names()
