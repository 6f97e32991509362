"""`seaway template render`: output on stdout, one `error:` line and exit code 2 for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seaway.cli.commands.template import app

runner = CliRunner()


@pytest.fixture
def template_file(tmp_path: Path) -> Path:
    path = tmp_path / "app.config.template"
    path.write_text("url=#{Url}\nname=#{Name | ToUpper}\n", encoding="utf-8")
    return path


def _assert_one_error_line(stderr: str) -> None:
    lines = stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert "Traceback" not in stderr


def test_a_template_is_rendered_with_variables_from_options(template_file: Path) -> None:
    result = runner.invoke(
        app,
        ["render", str(template_file), "--var", "Url=http://#{Host}", "--var", "Host=web01", "--var", "Name=quotes"],
    )

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "url=http://web01\nname=QUOTES\n"


def test_variables_can_come_from_a_json_file_and_options_win(template_file: Path, tmp_path: Path) -> None:
    variables = tmp_path / "vars.json"
    variables.write_text(json.dumps({"Url": "http://example.org", "Name": "from-file"}), encoding="utf-8")

    result = runner.invoke(app, ["render", str(template_file), "--vars-json", str(variables), "--var", "Name=cli"])

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "url=http://example.org\nname=CLI\n"


def test_json_values_in_the_variables_file_can_be_navigated(tmp_path: Path) -> None:
    template = tmp_path / "servers.txt"
    template.write_text("#{each s in Servers}#{s.Name}:#{s.Port} #{/each}", encoding="utf-8")
    variables = tmp_path / "vars.json"
    servers = [{"Name": "a", "Port": 1}, {"Name": "b", "Port": 2}]
    variables.write_text(json.dumps({"Servers": servers}), encoding="utf-8")

    result = runner.invoke(app, ["render", str(template), "--vars-json", str(variables)])

    assert result.stdout == "a:1 b:2 "


def test_unresolved_expressions_are_left_as_written_by_default(template_file: Path) -> None:
    result = runner.invoke(app, ["render", str(template_file)])

    assert result.exit_code == 0
    assert result.stdout == "url=#{Url}\nname=#{Name | ToUpper}\n"


def test_fail_on_unresolved_reports_the_expression_and_exits_2(template_file: Path) -> None:
    result = runner.invoke(app, ["render", str(template_file), "--var", "Name=x", "--fail-on-unresolved"])

    assert result.exit_code == 2
    _assert_one_error_line(result.stderr)
    assert "#{Url}" in result.stderr
    assert result.stdout == ""


def test_a_missing_template_file_is_bad_input(tmp_path: Path) -> None:
    result = runner.invoke(app, ["render", str(tmp_path / "nope.txt")])

    assert result.exit_code == 2
    _assert_one_error_line(result.stderr)
    assert "does not exist" in result.stderr


def test_a_var_without_an_equals_sign_is_bad_input(template_file: Path) -> None:
    result = runner.invoke(app, ["render", str(template_file), "--var", "Url"])

    assert result.exit_code == 2
    _assert_one_error_line(result.stderr)
    assert "NAME=VALUE" in result.stderr


@pytest.mark.parametrize("content", ["{not json", "[1, 2]"])
def test_a_variables_file_that_is_not_a_json_object_is_bad_input(
    template_file: Path, tmp_path: Path, content: str
) -> None:
    variables = tmp_path / "vars.json"
    variables.write_text(content, encoding="utf-8")

    result = runner.invoke(app, ["render", str(template_file), "--vars-json", str(variables)])

    assert result.exit_code == 2
    _assert_one_error_line(result.stderr)


def test_a_template_syntax_error_is_reported_with_its_position(tmp_path: Path) -> None:
    template = tmp_path / "broken.txt"
    template.write_text("line one\n#{if Ready}ready\n", encoding="utf-8")

    result = runner.invoke(app, ["render", str(template)])

    assert result.exit_code == 2
    _assert_one_error_line(result.stderr)
    assert "line 2, column 1" in result.stderr
    assert "#{/if}" in result.stderr


def test_lenient_rendering_keeps_what_does_not_parse_as_text(tmp_path: Path) -> None:
    template = tmp_path / "app.js"
    template.write_text('var a = "#{"; var b = "#{Host}";', encoding="utf-8")

    result = runner.invoke(app, ["render", str(template), "--lenient", "--var", "Host=web01"])

    assert result.exit_code == 0, result.stderr
    assert result.stdout == 'var a = "#{"; var b = "web01";'


def test_a_recursive_variable_is_bad_input(tmp_path: Path) -> None:
    template = tmp_path / "loop.txt"
    template.write_text("#{A}", encoding="utf-8")

    result = runner.invoke(app, ["render", str(template), "--var", "A=#{B}", "--var", "B=#{A}"])

    assert result.exit_code == 2
    _assert_one_error_line(result.stderr)
    assert "self referencing loop" in result.stderr
