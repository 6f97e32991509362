"""The built-in feed's retention on both databases: old versions no release deploys are removed (audited),
referenced ones never; bytes no version holds are swept only after a grace period."""

from __future__ import annotations

from datetime import timedelta

from tests.fixtures.engine import apply_yaml, project_yaml, release_of
from tests.fixtures.feed import push_file
from tests.fixtures.package_files import zip_bytes

from seaway.engine.packages import apply_retention, sweep_files

STEPS = "      - {name: Deploy, type: deploy-package, package: {id: Quotes}}\n"


async def test_retention_removes_only_old_versions_no_release_deploys(services):
    start = services.clock.now()
    old_used = await push_file(services, "Quotes.1.0.0.zip", zip_bytes({"v": "1"}), now=start)
    old_unused = await push_file(services, "Quotes.0.9.0.zip", zip_bytes({"v": "0.9"}), now=start)
    await apply_yaml(services, project_yaml("Site", STEPS))
    await release_of(services, "Site", packages={"Deploy": "1.0.0"})
    recent = await push_file(services, "Quotes.2.0.0.zip", zip_bytes({"v": "2"}), now=start + timedelta(days=29))

    removed = await apply_retention(services.store, days=30, now=start + timedelta(days=31))

    assert [(p.package_id, p.version) for p in removed] == [("Quotes", "0.9.0")]
    async with services.store.reading() as uow:
        kept = sorted(p.version for p in await uow.packages.versions_of("Quotes"))
        events = await uow.audit.list(action="package.removed_by_retention")
    assert kept == ["1.0.0", "2.0.0"]
    assert [(e.actor, e.entity_id) for e in events] == [("seaway", "Quotes.0.9.0")]

    files = services.package_files
    soon = await sweep_files(services.store, files, now=start + timedelta(days=31), grace=timedelta(days=365))
    assert soon == 0 and files.path_of(old_unused.package.sha256).is_file()  # within the grace: left alone
    swept = await sweep_files(services.store, files, now=start + timedelta(days=3650))
    assert swept == 1 and not files.path_of(old_unused.package.sha256).exists()
    assert files.path_of(old_used.package.sha256).is_file() and files.path_of(recent.package.sha256).is_file()
