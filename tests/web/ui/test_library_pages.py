"""The Library and Infrastructure pages: variable sets (sensitive values masked), environments, lifecycles,
targets with their health, and the Check health button only for those who may check."""

from __future__ import annotations

import re

import pytest
from tests.fixtures.engine import apply_yaml
from tests.fixtures.live_server import give_password, hidden_fields, origin_of, page_client, sign_in
from tests.fixtures.targets import MachineProbe, fingerprint_of, private_key_text, services_reaching, space_yaml

PEOPLE = """
library_variable_sets:
  - name: Shared
    variables:
      - {name: Region, value: eu-west}
      - {name: Token, value: lib-t0ken, sensitive: true}
lifecycles:
  - name: Straight
    phases:
      - {name: Dev, environments: [Dev], optional: true}
      - {name: Test, environments: [Test]}
users:
  - {username: olga, display_name: Olga Operator}
  - {username: vera, display_name: Vera Viewer}
teams:
  - name: Ops
    members: [olga]
    roles: [{role: environment-manager}]
  - name: Viewers
    members: [vera]
    roles: [{role: project-viewer}, {role: environment-viewer}]
"""


@pytest.fixture
async def reaching(db_url, tmp_path):
    probe = MachineProbe()
    async with services_reaching(db_url, tmp_path / "data", probe) as services:
        yield services, probe


async def test_library_and_infrastructure_show_what_one_may_see_and_check_health_runs(reaching):
    services, probe = reaching
    endpoint = f'{{type: ssh, host: 10.0.0.5, account: ops, fingerprint: "{fingerprint_of("10.0.0.5:22")}"}}'
    target = f"  - {{name: web-01, environments: [Test], roles: [web-server], endpoint: {endpoint}}}\n"
    await apply_yaml(services, space_yaml(private_key_text(), target) + PEOPLE)
    for username in ("olga", "vera"):
        await give_password(services, username)
    async with page_client(services) as olga, page_client(services) as vera:
        await sign_in(olga, "olga")
        await sign_in(vera, "vera")
        library = await vera.get("/library")
        vera_infra = await vera.get("/infrastructure")
        olga_infra = await olga.get("/infrastructure")
        action = re.search(r'action="(/infrastructure/targets/[^"]+/check)"', olga_infra.text).group(1)
        checked = await olga.post(action, data=hidden_fields(olga_infra.text), headers=origin_of(olga))
        forged = await vera.post(
            action,
            data=hidden_fields((await vera.get("/signin")).text, index=1),
            headers=origin_of(vera),
        )
        after = await olga.get("/infrastructure")

    assert "<dt>Region</dt><dd><code>eu-west</code></dd>" in library.text and "lib-t0ken" not in library.text
    assert "<strong>Test</strong>: Test" in vera_infra.text and "Straight" in vera_infra.text
    assert "web-01" in vera_infra.text and "Check health" not in vera_infra.text
    assert "Check health" in olga_infra.text and ">never<" in olga_infra.text
    assert checked.status_code == 303 and forged.status_code == 403
    assert len(probe.checked) == 1
    assert '<span class="state success">Healthy</span>' in after.text and "bash, tar found" in after.text
