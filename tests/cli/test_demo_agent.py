"""The demo's agent: a target per environment registered for one agent directory under the data dir, which
a real `seaway agent run` serves; registering again (the next start) keeps the targets."""

from __future__ import annotations

import asyncio

from tests.fixtures.agents import agent_seaway, running_agent
from tests.fixtures.engine import apply_yaml

from seaway.cli.demo_agent import DEMO_ROLE, register_demo_agents
from seaway.targets.agent import AgentTarget
from seaway.targets.base import Command


async def test_the_demo_registers_a_target_per_environment_for_a_local_agent(db_url, tmp_path):
    async with agent_seaway(db_url, tmp_path / "data") as seaway:
        services = seaway.services
        await apply_yaml(services, "environments: [Dev, Test, Prod]\n")
        await register_demo_agents(services)
        directory = await register_demo_agents(services)  # the server's next start
        assert directory == (tmp_path / "data" / "demo-agent").resolve()
        async with services.store.reading() as uow:
            targets = await uow.targets.list()
        assert [(t.name, t.environments, t.roles) for t in targets] == [
            ("quotes-dev", ("Dev",), (DEMO_ROLE,)),
            ("quotes-prod", ("Prod",), (DEMO_ROLE,)),
            ("quotes-test", ("Test",), (DEMO_ROLE,)),
        ]
        lines: list[str] = []

        async def on_line(level: str, line: str) -> None:
            lines.append(line)

        assert services.agents is not None
        async with running_agent(directory, seaway.env()):
            command = Command(["/bin/bash", "-c", "echo hello from $(basename $PWD)"], {}, directory, 60)
            result = await AgentTarget(targets[2], services.agents).run(
                command, on_line=on_line, cancel=asyncio.Event()
            )

    assert result.exit_code == 0 and lines == ["hello from demo-agent"]
