"""`feeds:`, `channels:`, `release_on_push:` and deploy-package steps in a document: each mistake names its
path, and nothing of the document is applied."""

from __future__ import annotations

import pytest
from tests.fixtures.engine import SIMPLE_SPACE, apply_yaml

from seaway.errors import InvalidInput

STEP = "      - {name: Deploy, type: deploy-package, package: {id: RandomQuotes}}\n"


def project(extra: str = "", step: str = STEP) -> str:
    return SIMPLE_SPACE + "projects:\n  - name: Quotes\n" + extra + "    process:\n" + step


@pytest.mark.parametrize(
    ("document", "field", "message"),
    [
        (project(step="      - {name: Deploy, type: deploy-package, package: {id: RandomQuotes, feed: Nexus}}\n"),
         "projects[0].process[0].package.feed", 'unknown feed "Nexus"'),
        (project(step="      - {name: Deploy, type: deploy-package, package: {id: ../etc}}\n"),
         "projects[0].process[0].package.id", "not a valid package id"),
        (project(step="      - {name: Deploy, type: deploy-package, package: RandomQuotes}\n"),
         "projects[0].process[0].package", "package must be {id: ..."),
        (project(step="      - {name: Deploy, type: deploy-package, package: {id: Q}, install_to: srv/q}\n"),
         "projects[0].process[0].install_to", "absolute path"),
        (project("    release_on_push: {step: Nope}\n"), "projects[0].release_on_push.step", '"Nope" is not a step'),
        (project("    channels:\n      - {name: Stable, rules: [{step: Build}]}\n"),
         "projects[0].channels[0].rules[0].step", 'no step "Build"'),
        (project("    channels:\n      - {name: Stable, rules: [{step: Deploy, versions: '[2.0,1.0]'}]}\n"),
         "projects[0].channels[0].rules[0].versions", ""),
        (project("    channels:\n      - {name: Stable, rules: [{step: Deploy, tag: '(unclosed'}]}\n"),
         "projects[0].channels[0].rules[0].tag", "not a regular expression"),
        (project("    channels:\n      - {name: Stable, lifecycle: Nowhere}\n"),
         "projects[0].channels[0].lifecycle", 'unknown lifecycle "Nowhere"'),
        ("feeds:\n  - {name: Artifactory, type: maven, url: 'https://x.example/'}\n", "feeds[0].type",
         "unknown feed type"),
        ("feeds:\n  - {name: Artifactory, type: nuget, url: 'ftp://x.example/'}\n", "feeds[0].url", "http"),
        ("feeds:\n  - {name: Built-in, type: nuget, url: 'https://x.example/'}\n", "feeds[0].name", "built-in"),
    ],
)  # fmt: skip
async def test_a_mistake_names_its_path_and_nothing_is_applied(services, document, field, message):
    with pytest.raises(InvalidInput) as refused:
        await apply_yaml(services, document)

    assert refused.value.field == field, refused.value
    assert message in refused.value.message
    async with services.store.reading() as uow:
        assert await uow.projects.list() == [] and await uow.feeds.list() == []
