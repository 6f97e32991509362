"""The deployment journal of one machine: which package version was installed where, and whether it worked.

It lives beside the installations (`<applications>/DeploymentJournal.json`, after Octopus's
`DeploymentJournal.xml`) and drives their retention: the last N successful installations of each project,
environment, step and target are kept; older extraction directories are removed. Only directories the
journal knows are ever removed, and never a custom installation directory.

The journal is kept by `on_machine`, the code that also runs on targets, so that a target's journal is
the server's format and follows the server's rules.
"""

from __future__ import annotations

from seaway.packages.on_machine import JOURNAL_NAME, DeploymentJournal, JournalEntry

__all__ = ["JOURNAL_NAME", "DeploymentJournal", "JournalEntry"]
