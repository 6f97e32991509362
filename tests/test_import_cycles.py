"""`tools/import_cycles.py`, which `make lint` runs: modules that import each other are found and named."""

from __future__ import annotations

import grimp
from tools.import_cycles import example_cycle, import_cycles


def _graph(*imports: tuple[str, str]) -> grimp.ImportGraph:
    graph = grimp.ImportGraph()
    for importer, imported in imports:
        graph.add_import(importer=importer, imported=imported)
    return graph


def test_modules_that_import_each_other_through_others_are_one_cycle():
    graph = _graph(
        ("app.links", "app.results"),
        ("app.results", "app.pages"),
        ("app.pages", "app.links"),
        ("app.pages", "app.errors"),
        ("app.cli", "app.errors"),
    )

    assert import_cycles(graph) == [["app.links", "app.pages", "app.results"]]
    assert example_cycle(graph, ["app.links", "app.pages", "app.results"]) == [
        "app.links",
        "app.results",
        "app.pages",
        "app.links",
    ]


def test_a_package_importing_a_submodule_that_imports_it_back_is_a_cycle():
    graph = _graph(("app.ui", "app.ui.links"), ("app.ui.links", "app.ui"), ("app.ui.links", "app.ui.pages"))

    assert import_cycles(graph) == [["app.ui", "app.ui.links"]]


def test_separate_cycles_are_reported_separately_and_a_tree_of_imports_has_none():
    assert import_cycles(_graph(("a.x", "a.y"), ("a.y", "a.x"), ("a.p", "a.q"), ("a.q", "a.p"), ("a.x", "a.p"))) == [
        ["a.p", "a.q"],
        ["a.x", "a.y"],
    ]
    assert import_cycles(_graph(("a.x", "a.y"), ("a.x", "a.z"), ("a.y", "a.z"))) == []
