"""The tests mirror `src/seaway/`: each subpackage has its folder under `tests/`, so a newcomer finds a
module's tests where the module is."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "seaway"


def _subpackages() -> list[Path]:
    return sorted(init.parent.relative_to(PACKAGE) for init in PACKAGE.rglob("__init__.py") if init.parent != PACKAGE)


def test_every_subpackage_has_its_folder_of_tests():
    subpackages = _subpackages()
    assert Path("store") in subpackages  # the walk found the package, so an empty result cannot pass

    missing = [str(sub) for sub in subpackages if not (ROOT / "tests" / sub).is_dir()]

    assert missing == []
