"""Seaway's variable-substitution language: Octopus Deploy's Octostache, in pure Python.

    evaluate("Hello #{Name | ToUpper}", {"Name": "world"}, now=clock.now())  ->  "Hello WORLD"

Templates substitute `#{Variable}` (names are case-insensitive paths such as
`#{Octopus.Action[Step A].Output.Url}`, and values are templates too), pipe values through filters
(`#{Name | Replace "-" _ | ToLower}`), branch with `#{if}`/`#{elseif}`/`#{else}`/`#{unless}`, loop
with `#{each item in List}`, compute with `#{calc A * 2}` and read JSON values (`#{Config.Items[0].Name}`).
`##{x}` writes a literal `#{x}`.
"""

from seaway.domain.templates.api import (
    Variables,
    VariableSet,
    argument_names,
    evaluate,
    evaluate_truthy,
    evaluate_with_errors,
)
from seaway.domain.templates.ast import Template
from seaway.domain.templates.evaluator import is_truthy
from seaway.domain.templates.filters import FILTERS
from seaway.domain.templates.parser import ParseError, parse
from seaway.domain.templates.results import (
    EvaluationResult,
    RecursiveDefinition,
    SubstitutionFailed,
    TemplateTooDeep,
)
from seaway.errors import TemplateSyntaxError

__all__ = [
    "FILTERS",
    "EvaluationResult",
    "ParseError",
    "RecursiveDefinition",
    "SubstitutionFailed",
    "Template",
    "TemplateSyntaxError",
    "TemplateTooDeep",
    "VariableSet",
    "Variables",
    "argument_names",
    "evaluate",
    "evaluate_truthy",
    "evaluate_with_errors",
    "is_truthy",
    "parse",
]
