"""Structured configuration variables on JSON, YAML, XML and properties files, checked by parsing the output."""

from __future__ import annotations

import codecs
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from ruamel.yaml import YAML

from seaway.errors import InvalidInput
from seaway.packages.structured_variables import StructuredChange, apply_structured_variables

APPSETTINGS = """{
    "App": {
        "Port": 8080,
        "Ratio": 1.5,
        "Debug": false,
        "Secret": null,
        "Name": "quotes",
        "Servers": [{"Url": "http://a"}, {"Url": "http://b"}]
    },
    "Logging": {"LogLevel": {"Default": "Information"}},
    "OctopusPort": 1,
    "Octopus": {"Port": 1}
}
"""


def write(root: Path, name: str, text: str | bytes) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def json_of(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8-sig"))


def test_json_values_keep_their_type_and_only_existing_keys_are_replaced(tmp_path):
    path = write(tmp_path, "appsettings.json", APPSETTINGS)
    variables = {
        "app:port": "9090",
        "App:Ratio": "2.25",
        "App:Debug": "True",
        "App:Secret": "null",
        "App:Name": "8080",
        "App:Servers:1:Url": "http://c",
        "Logging:LogLevel:Default": "Warning",
        "App:Missing": "x",
        "Nowhere:At:All": "x",
    }

    report = apply_structured_variables(tmp_path, ["appsettings.json"], variables)

    document = json_of(path)
    app = document["App"]
    assert app["Port"] == 9090 and type(app["Port"]) is int
    assert app["Ratio"] == 2.25
    assert app["Debug"] is True
    assert app["Secret"] is None
    assert app["Name"] == "8080"  # a string stays a string
    assert app["Servers"] == [{"Url": "http://a"}, {"Url": "http://c"}]
    assert document["Logging"]["LogLevel"]["Default"] == "Warning"
    assert "Missing" not in app and "Nowhere" not in document
    assert list(document) == ["App", "Logging", "OctopusPort", "Octopus"]
    assert list(app) == ["Port", "Ratio", "Debug", "Secret", "Name", "Servers"]
    [change] = report.changes
    assert change.format == "JSON" and change.file == Path("appsettings.json")
    assert set(change.keys) == {
        "App:Port",
        "App:Ratio",
        "App:Debug",
        "App:Secret",
        "App:Name",
        "App:Servers:1:Url",
        "Logging:LogLevel:Default",
    }


def test_a_json_value_that_does_not_read_as_the_original_type_becomes_a_string(tmp_path):
    path = write(tmp_path, "appsettings.json", APPSETTINGS)

    apply_structured_variables(tmp_path, ["*.json"], {"App:Port": "auto", "App:Debug": "maybe"})

    assert json_of(path)["App"]["Port"] == "auto"
    assert json_of(path)["App"]["Debug"] == "maybe"


def test_octopus_variables_are_skipped_unless_a_colon_follows_octopus(tmp_path):
    path = write(tmp_path, "appsettings.json", APPSETTINGS)

    apply_structured_variables(tmp_path, ["appsettings.json"], {"OctopusPort": "2", "Octopus:Port": "3"})

    assert json_of(path)["OctopusPort"] == 1
    assert json_of(path)["Octopus"]["Port"] == 3


def test_a_json_object_or_array_value_replaces_the_subtree_and_wins_over_keys_inside_it(tmp_path):
    path = write(tmp_path, "appsettings.json", APPSETTINGS)

    apply_structured_variables(
        tmp_path,
        ["appsettings.json"],
        {"App:Servers": '[{"Url": "http://x"}]', "App:Servers:0:Url": "http://ignored", "Logging": '{"Off": true}'},
    )

    assert json_of(path)["App"]["Servers"] == [{"Url": "http://x"}]
    assert json_of(path)["Logging"] == {"Off": True}


def test_a_subtree_value_that_is_not_json_is_a_warning_and_the_file_keeps_it(tmp_path):
    path = write(tmp_path, "appsettings.json", APPSETTINGS)

    report = apply_structured_variables(tmp_path, ["appsettings.json"], {"App:Servers": "not json"})

    assert len(json_of(path)["App"]["Servers"]) == 2
    assert report.warnings and "App:Servers" in report.warnings[0]


def test_json_keeps_its_indentation_byte_order_mark_and_final_newline(tmp_path):
    text = '{\n\t"A": {\n\t\t"B": 1\n\t}\n}\n'
    path = write(tmp_path, "a.json", codecs.BOM_UTF8 + text.encode())

    apply_structured_variables(tmp_path, ["a.json"], {"A:B": "2"})

    assert path.read_bytes() == codecs.BOM_UTF8 + b'{\n\t"A": {\n\t\t"B": 2\n\t}\n}\n'


def test_a_file_without_a_matching_key_is_left_byte_for_byte(tmp_path):
    path = write(tmp_path, "appsettings.json", APPSETTINGS)
    before = path.stat()

    report = apply_structured_variables(tmp_path, ["appsettings.json"], {"Other:Key": "1"})

    assert path.read_text() == APPSETTINGS
    assert path.stat().st_ino == before.st_ino
    assert report.changes == [StructuredChange(Path("appsettings.json"), "JSON", ())]


YAML_TEXT = """\
# The application's settings
app:
  port: 8080   # where it listens
  debug: false
  ratio: 0.5
  secret: ~
  name: "quotes"
  servers:
    - url: http://a
    - url: http://b
logging:
  level: info  # or debug
"""


def test_yaml_keeps_comments_key_order_and_types(tmp_path):
    path = write(tmp_path, "config/app.yaml", YAML_TEXT)
    variables = {
        "App:Port": "9090",
        "app:debug": "true",
        "App:Ratio": "1.25",
        "App:Secret": "null",
        "App:Name": "123",
        "App:Servers:1:Url": "http://c",
        "App:Missing": "x",
        "Octopus.Environment.Name": "Test",
    }

    report = apply_structured_variables(tmp_path, ["config/*.yaml"], variables)

    text = path.read_text()
    assert "# The application's settings" in text
    assert "# where it listens" in text and "# or debug" in text
    document = YAML(typ="safe").load(text)
    assert document["app"]["port"] == 9090
    assert document["app"]["debug"] is True
    assert document["app"]["ratio"] == 1.25
    assert document["app"]["secret"] is None
    assert document["app"]["name"] == "123"
    assert '"123"' in text  # its quoting kept
    assert document["app"]["servers"] == [{"url": "http://a"}, {"url": "http://c"}]
    assert list(document["app"]) == ["port", "debug", "ratio", "secret", "name", "servers"]
    assert "missing" not in {k.lower() for k in document["app"]}
    assert text.splitlines()[2:4] == ["  port: 9090   # where it listens", "  debug: true"]
    assert text.splitlines()[8:10] == ["    - url: http://a", "    - url: http://c"]
    assert report.changes[0].format == "YAML"


def test_a_yaml_mapping_value_replaces_the_subtree(tmp_path):
    path = write(tmp_path, "app.yml", YAML_TEXT)

    apply_structured_variables(tmp_path, ["app.yml"], {"Logging": "{level: warn, file: /var/log/app.log}"})

    assert YAML(typ="safe").load(path.read_text())["logging"] == {"level": "warn", "file": "/var/log/app.log"}


def test_every_document_of_a_multi_document_yaml_file_is_replaced_in(tmp_path):
    path = write(tmp_path, "deploy.yaml", "---\nkind: A\nreplicas: 1\n---\nkind: B\nreplicas: 2\n")

    apply_structured_variables(tmp_path, ["deploy.yaml"], {"replicas": "3"})

    assert [d["replicas"] for d in YAML(typ="safe").load_all(path.read_text())] == [3, 3]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(value=st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40))
def test_any_text_set_on_a_string_reads_back_exactly_in_json_and_yaml(tmp_path, value):
    json_path = write(tmp_path, "p.json", '{"A": {"B": "x"}}')
    yaml_path = write(tmp_path, "p.yaml", "a:\n  b: x  # note\n")

    apply_structured_variables(tmp_path, ["p.json", "p.yaml"], {"A:B": value})

    assert json_of(json_path)["A"]["B"] == value
    assert YAML(typ="safe").load(io.StringIO(yaml_path.read_text()))["a"]["b"] == value


XML_TEXT = """<?xml version="1.0" encoding="utf-8"?>
<!-- Random Quotes -->
<app mode="dev" xmlns:q="urn:quotes">
  <!-- where it listens -->
  <port>8080</port>
  <environment>Dev</environment>
  <nested><environment>Dev</environment></nested>
  <q:title>Quotes</q:title>
</app>
"""


def test_xml_xpath_names_set_element_text_and_attributes_and_keep_comments(tmp_path):
    path = write(tmp_path, "web.xml", XML_TEXT)
    variables = {
        "/app/port": "9090",
        "//environment": "Test",
        "/app/@mode": "prod",
        "/app/q:title": "Sayings",
        "/app/missing": "x",
        "App:Port": "1",  # not an XPath the document can answer: ignored
    }

    report = apply_structured_variables(tmp_path, ["*.xml"], variables)

    data = path.read_bytes()
    root = etree.fromstring(data)
    assert root.findtext("port") == "9090"
    assert [e.text for e in root.iter("environment")] == ["Test", "Test"]
    assert root.get("mode") == "prod"
    assert root.findtext("{urn:quotes}title") == "Sayings"
    assert root.find("missing") is None
    assert data.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<!-- Random Quotes -->')
    assert b"<!-- where it listens -->" in data
    assert report.changes[0].format == "XML"
    assert set(report.changes[0].keys) == {"/app/port", "//environment", "/app/@mode", "/app/q:title"}


def test_xml_entities_are_not_expanded_from_outside_the_file(tmp_path):
    secret = write(tmp_path, "secret.txt", "do not read")
    text = f'<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY x SYSTEM "file://{secret}">]>\n<a><b>&x;</b><c>1</c></a>\n'
    path = write(tmp_path, "a.xml", text)

    apply_structured_variables(tmp_path, ["a.xml"], {"/a/c": "2"})

    assert b"do not read" not in path.read_bytes()
    assert etree.fromstring(path.read_bytes(), etree.XMLParser(resolve_entities=False)).findtext("c") == "2"


PROPERTIES = """\
# Database settings
db.url = jdbc:postgresql://localhost/quotes
db.user=quotes
! another comment
long.value = first \\
    second
app.name: Quotes
empty.key
"""


def test_properties_keys_are_replaced_literally_keeping_comments_and_order(tmp_path):
    path = write(tmp_path, "app.properties", PROPERTIES)
    variables = {
        "DB.URL": "jdbc:postgresql://db/quotes",
        "long.value": "one line",
        "app.name": "Say\nings",
        "empty.key": "v",
    }

    report = apply_structured_variables(tmp_path, ["app.properties"], variables)

    assert path.read_text() == (
        "# Database settings\n"
        "db.url = jdbc:postgresql://db/quotes\n"
        "db.user=quotes\n"
        "! another comment\n"
        "long.value = one line\n"
        "app.name: Say\\nings\n"
        "empty.key=v\n"
    )
    assert report.changes[0].format == "properties"


def test_formats_are_found_by_content_when_the_extension_names_none(tmp_path):
    json_path = write(tmp_path, "settings.conf", '{"A": 1}')
    properties_path = write(tmp_path, "app.conf", "a = 1\nb = 2\n")
    xml_path = write(tmp_path, "app.config", "<a><b>1</b></a>")

    report = apply_structured_variables(tmp_path, ["*.conf", "*.config"], {"A": "5", "b": "7", "/a/b": "9"})

    assert json_of(json_path) == {"A": 5}
    assert properties_path.read_text() == "a = 5\nb = 7\n"
    assert etree.fromstring(xml_path.read_bytes()).findtext("b") == "9"
    assert {c.file.name: c.format for c in report.changes} == {
        "app.conf": "properties",
        "settings.conf": "JSON",
        "app.config": "XML",
    }


@pytest.mark.parametrize(
    ("name", "text"), [("broken.json", '{"a": '), ("broken.yaml", "a: [1,\n"), ("bad.xml", "<a><b></a>")]
)
def test_a_file_that_does_not_parse_in_its_format_is_refused_naming_it(tmp_path, name, text):
    write(tmp_path, name, text)

    with pytest.raises(InvalidInput) as refused:
        apply_structured_variables(tmp_path, [name], {"a": "1"})

    assert name in str(refused.value)


def test_patterns_that_match_nothing_are_reported_and_ones_that_leave_the_root_refused(tmp_path):
    write(tmp_path, "config/a.json", '{"A": 1}')

    report = apply_structured_variables(tmp_path, ["**/*.json", "*.yaml"], {"A": "2"})

    assert report.unmatched_patterns == ["*.yaml"]
    assert [c.file for c in report.changes] == [Path("config/a.json")]
    for pattern in ("../*.json", "/etc/*.json"):
        with pytest.raises(InvalidInput):
            apply_structured_variables(tmp_path, [pattern], {"A": "2"})
