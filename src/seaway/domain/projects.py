"""Projects: what is deployed, with its lifecycle, variables and deployment process."""

from __future__ import annotations

from dataclasses import dataclass, field

from seaway.domain.channels import Channel
from seaway.domain.process import Step
from seaway.domain.targeting import Connectivity
from seaway.domain.variables import Variable


@dataclass(frozen=True)
class Project:
    name: str
    lifecycle: str | None = None  # lifecycle name; None = the default lifecycle
    description: str = ""
    process: tuple[Step, ...] = ()
    variables: tuple[Variable, ...] = ()
    includes: tuple[str, ...] = ()  # library variable set names
    id: int | None = None
    channels: tuple[Channel, ...] = ()  # beside the default channel
    release_on_push: str | None = None  # a step name: a newer version of its package pushed creates a release
    connectivity: Connectivity = field(default_factory=Connectivity)  # which targets deployments may leave out
    tags: tuple[str, ...] = ()  # domain/tags.py: what approval policies may be scoped on


@dataclass(frozen=True)
class LibraryVariableSet:
    name: str
    variables: tuple[Variable, ...] = ()
    id: int | None = None
