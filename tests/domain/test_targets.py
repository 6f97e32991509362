"""Targets' own rules: roles are words, ports are ports, fingerprints are what ssh-keygen prints."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from tests.fixtures.targets import fingerprint_of

from seaway.domain.targets import (
    DeploymentTarget,
    HealthStatus,
    SshEndpoint,
    not_pinned_message,
    validate_fingerprint,
    validate_role,
    validate_target,
)
from seaway.errors import InvalidInput

FINGERPRINT = fingerprint_of("web-01")


WEB_01 = DeploymentTarget("web-01", ("Test",), ("web-server",), SshEndpoint("10.0.0.5", 22, "deploy", FINGERPRINT))


def target(**fields: Any) -> DeploymentTarget:
    return replace(WEB_01, **fields)


def refusal(target_: DeploymentTarget) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        validate_target(target_, path="targets[3]")
    return refused.value


def test_a_target_with_an_environment_a_role_and_a_pinned_key_is_valid():
    validate_target(target())
    validate_target(target(endpoint=SshEndpoint("10.0.0.5", 2222, "deploy")))  # not pinned yet: still valid


def test_a_target_in_no_environment_is_refused_naming_the_field():
    refused = refusal(target(environments=()))
    assert refused.field == "targets[3].environments"
    assert "at least one environment" in refused.message


def test_a_role_with_a_space_is_refused_naming_its_index():
    refused = refusal(target(roles=("web-server", "app server")))
    assert refused.field == "targets[3].roles[1]"
    assert '"app server" contains a space' in refused.message


def test_roles_and_environments_listed_twice_are_refused():
    assert refusal(target(roles=("web", "Web"))).field == "targets[3].roles[1]"
    assert refusal(target(environments=("Test", "test"))).field == "targets[3].environments[1]"


@pytest.mark.parametrize("port", [0, -1, 65536, 100000])
def test_a_port_out_of_range_is_refused(port: int):
    refused = refusal(target(endpoint=SshEndpoint("h", port, "deploy")))
    assert refused.field == "targets[3].endpoint.port"
    assert f"the port {port} is out of range (1 to 65535)" in refused.message


def test_a_fingerprint_is_sha256_and_43_characters_of_base64_padding_dropped():
    assert validate_fingerprint(FINGERPRINT + "=", field="f") == FINGERPRINT
    for bad in ("MD5:aa:bb", "SHA256:short", FINGERPRINT[7:], FINGERPRINT + "x"):
        with pytest.raises(InvalidInput) as refused:
            validate_fingerprint(bad, field="endpoint.fingerprint")
        assert refused.value.field == "endpoint.fingerprint"
        assert "ssh-keygen -l -E sha256" in refused.value.message


def test_a_role_is_one_word():
    assert validate_role("web-server", field="r") == "web-server"
    for bad in ("", " ", "web\tserver", "x" * 201):
        with pytest.raises(InvalidInput):
            validate_role(bad, field="r")


def test_deployments_may_run_on_healthy_targets_and_those_with_warnings_only():
    assert {s for s in HealthStatus if s.usable} == {HealthStatus.HEALTHY, HealthStatus.HAS_WARNINGS}


def test_the_not_pinned_message_says_what_the_host_presents_and_how_to_trust_it():
    message = not_pinned_message(target(endpoint=SshEndpoint("::1", 2222, "deploy")), FINGERPRINT)
    assert "[::1]:2222" in message and FINGERPRINT in message
    assert "seaway target check web-01 --trust" in message
