"""How fast Seaway renders a large config file, next to `string.Template` doing the same substitutions.

    python bench/templates.py

The template is a ~1 MB configuration file with 5,000 `#{...}` substitutions (some through filters,
some of variables whose values are templates themselves) and an `#{each}` over a 1,000-element JSON
array. The `string.Template` version has the same text and the same substitutions, with the loop
expanded beforehand. Both are rendered a few times; the best times and their ratio are printed.
"""

from __future__ import annotations

import json
import string
import time
from collections.abc import Callable

from seaway.domain.templates import VariableSet, evaluate, parse
from seaway.engine.clock import SystemClock

SUBSTITUTIONS = 5_000
DISTINCT_VARIABLES = 500
SERVERS = 1_000
RUNS = 7
PADDING = "x" * 150  # comment text that makes each line ~200 characters


def build() -> tuple[str, dict[str, str], str, dict[str, str]]:
    """(Seaway template, its variables, string.Template template, its mapping)."""
    variables: dict[str, str] = {"Environment": "Production", "Region": "eu-west-1"}
    for i in range(DISTINCT_VARIABLES):
        # One value in five is itself a template, as project variables often are.
        variables[f"App.Settings[Group{i % 10}].Key{i}"] = f"#{{Environment}}-{i}" if i % 5 == 0 else f"value-{i}"
    servers = [{"Name": f"server-{i:04d}", "Port": 8000 + i, "Zone": f"zone-{i % 3}"} for i in range(SERVERS)]
    variables["Servers"] = json.dumps(servers)

    lines: list[str] = []
    plain_lines: list[str] = []
    mapping: dict[str, str] = {"Environment": "Production", "Region": "eu-west-1"}
    for n in range(SUBSTITUTIONS):
        i = n % DISTINCT_VARIABLES
        name = f"App.Settings[Group{i % 10}].Key{i}"
        value = f"Production-{i}" if i % 5 == 0 else f"value-{i}"
        ident = f"key{i}"
        if n % 4 == 0:
            lines.append(f"setting.{n} = #{{{name} | ToUpper}}  # {PADDING}\n")
            mapping[f"{ident}_upper"] = value.upper()
            plain_lines.append(f"setting.{n} = ${{{ident}_upper}}  # {PADDING}\n")
        else:
            lines.append(f"setting.{n} = #{{{name}}}  # {PADDING}\n")
            mapping[ident] = value
            plain_lines.append(f"setting.{n} = ${{{ident}}}  # {PADDING}\n")
    lines.append("#{each server in Servers}server #{server.Name}:#{server.Port} (#{server.Zone})\n#{/each}")
    for i, server in enumerate(servers):
        mapping[f"s{i}_name"], mapping[f"s{i}_port"], mapping[f"s{i}_zone"] = (
            str(server["Name"]),
            str(server["Port"]),
            str(server["Zone"]),
        )
        plain_lines.append(f"server ${{s{i}_name}}:${{s{i}_port}} (${{s{i}_zone}})\n")
    return "".join(lines), variables, "".join(plain_lines), mapping


def best_of(functions: list[Callable[[], str]], runs: int = RUNS) -> list[tuple[float, str]]:
    """The best time and the output of each function; runs alternate so that load hits all alike."""
    times: list[list[float]] = [[] for _ in functions]
    outputs = [""] * len(functions)
    for _ in range(runs):
        for i, function in enumerate(functions):
            start = time.perf_counter()
            outputs[i] = function()
            times[i].append(time.perf_counter() - start)
    return [(min(t), output) for t, output in zip(times, outputs, strict=True)]


def main() -> None:
    template, variables, plain, mapping = build()
    variable_set = VariableSet(variables)
    now = SystemClock().now()
    compiled = string.Template(plain)

    start = time.perf_counter()
    parse(template)
    parse_time = time.perf_counter() - start

    (seaway_time, seaway_output), (stdlib_time, stdlib_output) = best_of(
        [lambda: evaluate(template, variable_set, now=now), lambda: compiled.substitute(mapping)]
    )
    assert seaway_output == stdlib_output, "the two renderings differ"

    print(f"template: {len(template) / 1e6:.2f} MB, {SUBSTITUTIONS} substitutions, #{{each}} over {SERVERS} items")
    print(f"parse (once, then cached):    {parse_time * 1000:8.1f} ms")
    print(f"seaway evaluate (best of {RUNS}): {seaway_time * 1000:8.1f} ms")
    print(f"string.Template (best of {RUNS}): {stdlib_time * 1000:8.1f} ms")
    print(f"ratio: {seaway_time / stdlib_time:.1f}x")


if __name__ == "__main__":
    main()
