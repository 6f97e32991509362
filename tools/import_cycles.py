"""Fail when modules of a package import each other, directly or through others: an import cycle.

    python tools/import_cycles.py [PACKAGE]    (default: seaway, read from this checkout's src/)

Every import counts (at the top of a module, inside a function, under TYPE_CHECKING): each one ties the
two modules together. A package's `__init__` is a module like any other, so a package that imports its
own submodules, which import it back, is a cycle too; import-linter's `acyclic_siblings` contract does
not see those (it compares a package's children only), which is why this is a script.
Prints one line per cycle and exits 1, or exits 0 when there is none.
"""

from __future__ import annotations

import sys
from pathlib import Path

import grimp


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Each group of modules that import each other (a strongly connected component of more than one
    module), sorted, and the groups sorted."""
    groups: list[list[str]] = []
    seen: set[str] = set()
    for module in sorted(graph.modules):
        if module in seen:
            continue
        group = graph.find_upstream_modules(module) & graph.find_downstream_modules(module)
        if group:
            group.add(module)
            seen |= group
            groups.append(sorted(group))
    return groups


def example_cycle(graph: grimp.ImportGraph, group: list[str]) -> list[str]:
    """One chain of imports through `group` that comes back to where it started."""
    start = group[0]
    back = next(importer for importer in sorted(graph.find_modules_that_directly_import(start)) if importer in group)
    chain = graph.find_shortest_chain(importer=start, imported=back)
    assert chain is not None  # `back` is in the group, so `start` reaches it
    return [*chain, start]


def main(package: str) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    graph = grimp.build_graph(package, cache_dir=None)
    groups = import_cycles(graph)
    for group in groups:
        sys.stdout.write(f"import cycle among {', '.join(group)}\n")
        sys.stdout.write(f"  for example {' -> '.join(example_cycle(graph, group))}\n")
    if groups:
        sys.stdout.write(
            f"{len(groups)} import cycle(s) in {package}: move what both sides need into a module of its own\n"
        )
        return 1
    sys.stdout.write(f"no import cycles in {package}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "seaway"))
