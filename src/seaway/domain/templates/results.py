"""What an evaluation returns, and the errors it can raise."""

from __future__ import annotations

from dataclasses import dataclass

from seaway.errors import InvalidInput


def unresolved_message(unresolved: tuple[str, ...]) -> str:
    return "The following tokens were unable to be evaluated: " + ", ".join(f"'{token}'" for token in unresolved)


@dataclass(frozen=True, slots=True)
class EvaluationResult:
    """The output of an evaluation, the error text Octopus would report, and what was not resolved.

    `text` is None when a `#{ | null}` substitution was evaluated. `error` is the parser's message
    when the template does not parse (strict mode; `text` is then the template unchanged), otherwise
    the list of `unresolved` tokens in Octopus's wording, or None when everything resolved.
    """

    text: str | None
    error: str | None = None
    unresolved: tuple[str, ...] = ()

    @property
    def succeeded(self) -> bool:
        return self.error is None


class SubstitutionFailed(InvalidInput):
    """An expression could not be resolved and the caller asked for that to fail the evaluation."""

    code = "substitution_failed"

    def __init__(self, unresolved: tuple[str, ...], *, field: str | None = None) -> None:
        super().__init__(unresolved_message(unresolved), field=field)
        self.unresolved = unresolved


class RecursiveDefinition(InvalidInput):
    """A variable's value refers, directly or through others, back to itself."""

    code = "recursive_definition"

    def __init__(self, symbol: str, chain: tuple[str, ...]) -> None:
        super().__init__(
            f'An attempt to parse the variable symbol "{symbol}" appears to have resulted in a self referencing '
            f"loop ({' -> '.join(chain)}). Ensure that recursive loops do not exist in the variable values."
        )
        self.symbol = symbol
        self.chain = chain


class TemplateTooDeep(InvalidInput):
    """Values nest more deeply than evaluation allows (each level is a variable used by another)."""

    code = "template_too_deep"
