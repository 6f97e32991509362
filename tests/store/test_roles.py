"""The custom-roles repository on both databases: a role's name, description and permissions round-trip,
roles list in the order they were added, names are unique in any case, a permission the code no longer knows
is dropped on reading, and every write marks the unit of work's grants for recomputing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from seaway.domain.permissions import Permission
from seaway.domain.roles import Role
from seaway.errors import Conflict, NotFound
from seaway.store.tables import roles

RELEASER = Role("Releaser", frozenset({Permission.PROJECT_VIEW, Permission.RELEASE_VIEW}), "cuts releases")


async def test_roles_are_added_found_saved_listed_and_deleted(services):
    async with services.store.transaction() as uow:
        releaser = await uow.roles.add(RELEASER)
        auditor = await uow.roles.add(Role("Auditor", frozenset()))
        assert releaser.id is not None and auditor.id is not None
        assert await uow.roles.get(releaser.id) == releaser
        assert await uow.roles.find_by_name("rELEASER") == releaser
        assert await uow.roles.find_by_name("Nobody") is None
        saved = await uow.roles.save(Role("Release Manager", frozenset({Permission.ADMINISTER}), id=releaser.id))
        assert [r.name for r in await uow.roles.list()] == ["Release Manager", "Auditor"]
        await uow.roles.delete(auditor.id)
    async with services.store.reading() as uow:
        assert await uow.roles.get(releaser.id) == saved
        assert await uow.roles.find_by_name("Auditor") is None
    assert releaser == Role(RELEASER.name, RELEASER.permissions, RELEASER.description, id=releaser.id)
    assert not releaser.builtin


async def test_every_write_marks_the_grants_for_recomputing(services):
    async with services.store.transaction() as uow:
        assert not uow.access_changed
        await uow.roles.list()
        assert not uow.access_changed
        role = await uow.roles.add(RELEASER)
        assert uow.access_changed
    for write in ("save", "delete"):
        async with services.store.transaction() as uow:
            await (uow.roles.save(role) if write == "save" else uow.roles.delete(role.id or 0))
            assert uow.access_changed, write


async def test_an_unknown_role_is_not_found_and_a_name_in_another_case_conflicts(services):
    async with services.store.transaction() as uow:
        with pytest.raises(NotFound) as by_id:
            await uow.roles.get(999)
        with pytest.raises(NotFound):
            await uow.roles.delete(999)
        assert not uow.access_changed  # nothing was deleted
        await uow.roles.add(RELEASER)
    assert (by_id.value.entity, by_id.value.id) == ("role", "999")
    with pytest.raises(Conflict):
        async with services.store.transaction() as uow:
            await uow.roles.add(Role("RELEASER", frozenset()))


async def test_permissions_are_stored_sorted_and_one_the_code_no_longer_knows_is_dropped_on_reading(services):
    async with services.store.transaction() as uow:
        role = await uow.roles.add(RELEASER)
        stored = (await uow.conn.execute(sa.select(roles.c.permissions).where(roles.c.id == role.id))).scalar_one()
        await uow.conn.execute(
            roles.update().where(roles.c.id == role.id).values(permissions=["project.view", "retired.thing"])
        )
    async with services.store.reading() as uow:
        assert (await uow.roles.get(role.id or 0)).permissions == frozenset({Permission.PROJECT_VIEW})
    assert stored == ["project.view", "release.view"]
