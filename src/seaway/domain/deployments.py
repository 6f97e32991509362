"""Deployments: a release sent to one environment by one user."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Deployment:
    release_id: int
    project_id: int
    environment: str
    created_at: datetime
    created_by: int | None
    prompted_variables: Mapping[str, str] = field(default_factory=dict)
    comments: str = ""
    id: int | None = None
    task_id: int | None = None
