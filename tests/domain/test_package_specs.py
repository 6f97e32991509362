"""Octopus's `Packages` entries: the three forms, wildcards and missing parts, precedence and refusals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seaway.domain.package_selection import package_steps
from seaway.domain.package_specs import parse_spec, pinned_versions
from seaway.domain.process import Step, StepType
from seaway.errors import InvalidInput


def deploys(name: str, package_id: str) -> Step:
    return Step(name, StepType.DEPLOY_PACKAGE, {"package": {"id": package_id}})


PROCESS = (
    Step("Build", StepType.SCRIPT, {"script": "make"}),
    deploys("Deploy web", "RandomQuotes"),
    deploys("Deploy worker", "RandomQuotes.Worker"),
    deploys("Deploy docs", "RandomQuotes"),
)
STEPS = package_steps(PROCESS)


def pinned(*specs: str, default: str | None = None) -> dict[str, str]:
    return pinned_versions(STEPS, specs, default)


def test_step_name_and_version_pins_that_step_only():
    assert pinned("Deploy web:1.0.1") == {"Deploy web": "1.0.1"}


def test_package_id_and_version_pins_every_step_of_that_package():
    assert pinned("randomquotes:1.0.2") == {"Deploy web": "1.0.2", "Deploy docs": "1.0.2"}


def test_step_package_and_version_names_the_step_and_its_package():
    assert pinned("Deploy worker:RandomQuotes.Worker:2.0.0") == {"Deploy worker": "2.0.0"}
    assert pinned("RandomQuotes:RandomQuotes:1.0.3") == {"Deploy web": "1.0.3", "Deploy docs": "1.0.3"}


def test_wildcards_and_missing_parts_match_every_step():
    everything = {"Deploy web": "3.0.0", "Deploy worker": "3.0.0", "Deploy docs": "3.0.0"}
    assert pinned("*:3.0.0") == pinned(":3.0.0") == pinned("*:*:3.0.0") == pinned("::3.0.0") == everything


def test_a_wildcard_step_with_a_package_name_picks_that_package():
    assert pinned("*:RandomQuotes.Worker:2.1.0") == {"Deploy worker": "2.1.0"}
    assert pinned("Deploy web::1.0.4") == {"Deploy web": "1.0.4"}


def test_the_step_beats_the_package_which_beats_the_wildcard_which_beats_the_default():
    specs = ("*:9.0.0", "RandomQuotes:2.0.0", "Deploy web:1.0.0")
    assert pinned(*specs, default="5.0.0") == {"Deploy web": "1.0.0", "Deploy docs": "2.0.0", "Deploy worker": "9.0.0"}
    assert pinned("RandomQuotes:2.0.0", default="5.0.0") == {
        "Deploy web": "2.0.0",
        "Deploy docs": "2.0.0",
        "Deploy worker": "5.0.0",
    }


def test_the_default_alone_pins_every_package_step_and_nothing_leaves_them_to_the_latest():
    assert pinned(default="1.2.3") == {"Deploy web": "1.2.3", "Deploy worker": "1.2.3", "Deploy docs": "1.2.3"}
    assert pinned() == {}


def test_names_match_in_any_case_and_spaces_around_parts_are_dropped():
    assert pinned(" deploy WEB : 1.0.1 ") == {"Deploy web": "1.0.1"}


@pytest.mark.parametrize("text", ["1.0.1", "", "Deploy web:", "Deploy web:RandomQuotes:", "a:b:c:1.0"])
def test_a_malformed_entry_names_its_index(text: str):
    with pytest.raises(InvalidInput) as caught:
        pinned("*:1.0.0", text)
    assert caught.value.field == "Packages[1]"
    assert "StepName:Version" in caught.value.message


def test_an_entry_naming_no_package_step_is_refused():
    with pytest.raises(InvalidInput) as caught:
        pinned("Deploy web:1.0.0", "Build:1.0.0")
    assert caught.value.field == "Packages[1]"
    assert caught.value.message == '"Build:1.0.0": no step or package named "Build" deploys a package'
    with pytest.raises(InvalidInput, match='named "Deploy web:Other"'):
        pinned("Deploy web:Other:1.0.0")


def test_equally_specific_entries_must_agree():
    with pytest.raises(InvalidInput) as caught:
        pinned("*:1.0.0", "*:2.0.0")
    assert caught.value.field == "Packages[1]"
    assert pinned("Deploy web:1.0.0", "deploy web:1.0.0") == {"Deploy web": "1.0.0"}


def test_a_wildcard_is_fine_for_a_process_without_package_steps():
    assert pinned_versions(package_steps(PROCESS[:1]), ["*:1.0.0"], "2.0.0") == {}


names = st.text(st.characters(blacklist_characters=":", blacklist_categories=("Cs",)), min_size=1).filter(
    lambda s: s.strip() and s.strip() != "*"
)


@given(step=names, version=names)
def test_any_step_name_and_version_parse_back(step: str, version: str):
    spec = parse_spec(f"{step}:{version}", 0)
    assert (spec.target, spec.package, spec.version) == (step.strip(), "*", version.strip())
