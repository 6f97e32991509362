"""The `seaway` command."""

from __future__ import annotations

import typer

from seaway.cli.commands import (
    admin,
    agent,
    api_keys,
    apply,
    approvals,
    audit,
    deploy,
    export,
    freezes,
    packages,
    releases,
    roles,
    server,
    targets,
    tasks,
)
from seaway.cli.output import ReportingGroup

app = typer.Typer(
    name="seaway",
    help="Seaway: deployment automation with approvals.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=ReportingGroup,
    add_completion=False,
)
server.register(app)
apply.register(app)
export.register(app)
deploy.register(app)
app.add_typer(admin.app, name="admin")
app.add_typer(audit.app, name="audit")
app.add_typer(releases.app, name="release")
app.add_typer(packages.app, name="package")
app.add_typer(tasks.app, name="task")
app.add_typer(api_keys.app, name="api-key")
app.add_typer(roles.app, name="role")
app.add_typer(targets.app, name="target")
app.add_typer(agent.app, name="agent")
approvals.register(app)
freezes.register(app)
app.add_typer(approvals.app, name="approvals")
try:
    from seaway.cli.commands import template

    app.add_typer(template.app, name="template", help="Try a template before you deploy it.")
except ImportError:  # pragma: no cover - the template command ships with the templates package
    pass


def main() -> None:
    app()


if __name__ == "__main__":
    main()
