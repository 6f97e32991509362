"""JSON-valued variables: navigation with `.` and `[ ]`, iteration, and Newtonsoft's leniency."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from seaway.domain.templates import evaluate, evaluate_with_errors

NOW = datetime(2030, 5, 22, 7, 5, 0, tzinfo=UTC)

CONFIG = json.dumps(
    {
        "Database": {"Host": "db01", "Port": 5432, "Ssl": True, "Ratio": 0.5, "Replica": None},
        "Servers": [{"Name": "a", "Tags": ["web"]}, {"Name": "b", "Tags": []}],
        "@type": "config",
    }
)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("#{Config.Database.Host}", "db01"),
        ("#{Config[Database][Port]}", "5432"),
        ("#{Config.Database.Ssl}", "True"),
        ("#{Config.Database.Ratio}", "0.5"),
        ("#{Config.Database.Replica}", ""),
        ("#{Config.Servers[1].Name}", "b"),
        ("#{Config.Servers.0.Name}", "a"),
        ("#{Config.Servers[0].Tags}", '["web"]'),
        ("#{Config.Servers[5]}", ""),
        ("#{Config.Database.Missing}", ""),
        ("#{Config.@type}", "config"),
        ("#{config.Database.Host}", "db01"),
        ("#{Config.Database | ToUpper}", '{"HOST":"DB01","PORT":5432,"SSL":TRUE,"RATIO":0.5,"REPLICA":NULL}'),
    ],
)
def test_json_values_are_navigated_with_dots_and_brackets(template: str, expected: str) -> None:
    assert evaluate(template, {"Config": CONFIG}, now=NOW) == expected


def test_json_property_names_are_case_sensitive_unlike_variable_names() -> None:
    assert evaluate("[#{Config.database}]", {"Config": CONFIG}, now=NOW) == "[]"


def test_an_explicit_variable_wins_over_json() -> None:
    variables = {"Config": CONFIG, "Config.Database.Host": "override"}

    assert evaluate("#{Config.Database.Host} #{Config.Servers[0].Name}", variables, now=NOW) == "override a"


def test_each_iterates_a_json_array_and_objects_inside_it_are_navigable() -> None:
    template = "#{each s in Config.Servers}#{s.Name}:#{s.Tags[0]}|#{/each}"

    assert evaluate(template, {"Config": CONFIG}, now=NOW) == "a:web|b:|"


def test_each_over_a_json_object_gives_keys_and_values() -> None:
    variables = {"Sizes": '{"Small": {"Price": 10}, "Large": {"Price": 15}}'}

    template = "#{each s in Sizes}#{s}=#{s.Key}/#{s.Value.Price} #{/each}"

    assert evaluate(template, variables, now=NOW) == "Small=Small/10 Large=Large/15 "


def test_each_over_a_json_array_has_first_last_and_index() -> None:
    template = "#{each n in Numbers}#{n}#{unless Octopus.Template.Each.Last}, #{/unless}#{/each}"

    assert evaluate(template, {"Numbers": "[2, 3, 5]"}, now=NOW) == "2, 3, 5"


def test_lenient_json_is_accepted() -> None:
    variables = {"Config": "{Host: 'db01', /* comment */ Ports: [1, 2,], // trailing\n Name: \"x\",}"}

    assert evaluate("#{Config.Host} #{Config.Ports[1]} #{Config.Name}", variables, now=NOW) == "db01 2 x"


def test_templates_inside_json_are_evaluated_before_reading_it() -> None:
    variables = {"Key": "Host", "Value": "db01", "Config": '{"#{Key}": "#{Value}"}'}

    assert evaluate("#{Config.Host} #{Config[#{Key}]}", variables, now=NOW) == "db01 db01"


def test_a_json_value_may_refer_to_another_property_of_the_same_variable() -> None:
    variables = {"Test": '{Name: "#{Test.Value}", Value: 12}'}

    assert evaluate("#{Test.Name}", variables, now=NOW) == "12"


def test_invalid_json_leaves_the_expression_unresolved() -> None:
    result = evaluate_with_errors("#{Config.Host}", {"Config": "{Host: no quotes}"}, now=NOW)

    assert result.text == "#{Config.Host}"
    assert result.unresolved == ("#{Config.Host}",)


def test_text_after_the_json_value_makes_it_invalid() -> None:
    assert evaluate("#{Config.A}", {"Config": '{"A": 1} trailing'}, now=NOW) == "#{Config.A}"
