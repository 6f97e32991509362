"""Substitute variables in files: Octostache over the matched files, in place, strict unless told otherwise."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime
from pathlib import Path

import pytest

from seaway.errors import InvalidInput
from seaway.packages.substitution import EvaluatedVariables, FileRenderer, substitute_in_files

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
VARIABLES = {"App Port": "8080", "Environment": "Test", "Url": "http://#{Environment | ToLower}.example:#{App Port}"}


def write(root: Path, name: str, data: str | bytes) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_matched_files_are_rendered_in_place_and_others_left_alone(tmp_path):
    conf = write(tmp_path, "config/app.conf", "port=#{App Port}\nurl=#{Url}\n")
    nested = write(tmp_path, "web/static/index.html.template", "<h1>#{Environment}</h1>")
    other = write(tmp_path, "config/readme.txt", "#{App Port}")

    report = substitute_in_files(tmp_path, ["config/*.conf", "**/*.template"], FileRenderer(VARIABLES, now=NOW))

    assert conf.read_text() == "port=8080\nurl=http://test.example:8080\n"
    assert nested.read_text() == "<h1>Test</h1>"
    assert other.read_text() == "#{App Port}"
    assert report.files == [Path("config/app.conf"), Path("web/static/index.html.template")]
    assert report.unmatched_patterns == []


def test_the_byte_order_mark_line_endings_and_encoding_are_kept(tmp_path):
    utf8 = write(tmp_path, "a.conf", codecs.BOM_UTF8 + "é=#{Environment}\r\n".encode())
    utf16 = write(tmp_path, "b.conf", codecs.BOM_UTF16_LE + "x=#{Environment}\n".encode("utf-16-le"))
    latin1 = write(tmp_path, "c.conf", "caf\xe9=#{Environment}\n".encode("latin-1"))

    substitute_in_files(tmp_path, ["*.conf"], FileRenderer(VARIABLES, now=NOW))

    assert utf8.read_bytes() == codecs.BOM_UTF8 + "é=Test\r\n".encode()
    assert utf16.read_bytes() == codecs.BOM_UTF16_LE + "x=Test\n".encode("utf-16-le")
    assert latin1.read_bytes() == "caf\xe9=Test\n".encode("latin-1")


def test_an_unresolved_expression_fails_naming_the_file_and_leaves_it_unchanged(tmp_path):
    conf = write(tmp_path, "config/app.conf", "port=#{Missing Port}\n")

    with pytest.raises(InvalidInput) as failed:
        substitute_in_files(tmp_path, ["config/*.conf"], FileRenderer(VARIABLES, now=NOW))

    assert "config/app.conf" in str(failed.value) and "Missing Port" in str(failed.value)
    assert conf.read_text() == "port=#{Missing Port}\n"


def test_a_template_that_does_not_parse_fails_naming_the_file(tmp_path):
    write(tmp_path, "app.conf", "port=#{if App Port}open\n")

    with pytest.raises(InvalidInput) as failed:
        substitute_in_files(tmp_path, ["app.conf"], FileRenderer(VARIABLES, now=NOW))

    assert "app.conf" in str(failed.value)


def test_ignored_errors_become_warnings_and_what_resolves_is_substituted(tmp_path):
    conf = write(tmp_path, "app.conf", "port=#{App Port}\nother=#{Missing}\n")
    renderer = FileRenderer(VARIABLES, now=NOW, ignore_errors=True)

    substitute_in_files(tmp_path, ["app.conf"], renderer)

    assert conf.read_text() == "port=8080\nother=#{Missing}\n"
    [warning] = renderer.take_warnings()
    assert warning.startswith("app.conf: ") and "Missing" in warning
    assert renderer.take_warnings() == []


def test_patterns_that_match_nothing_are_reported(tmp_path):
    write(tmp_path, "a.conf", "x")

    report = substitute_in_files(tmp_path, ["*.conf", "missing/*.txt"], FileRenderer(VARIABLES, now=NOW))

    assert report.unmatched_patterns == ["missing/*.txt"]


def test_a_symbolic_link_out_of_the_package_is_never_written_through(tmp_path):
    outside = write(tmp_path, "outside/secret.conf", "#{Environment}")
    package = tmp_path / "package"
    package.mkdir()
    (package / "link.conf").symlink_to(outside)

    report = substitute_in_files(package, ["*.conf"], FileRenderer(VARIABLES, now=NOW))

    assert outside.read_text() == "#{Environment}"
    assert report.unmatched_patterns == ["*.conf"]


def test_evaluated_variables_read_values_with_their_expressions_substituted():
    variables = EvaluatedVariables(list(VARIABLES), FileRenderer(VARIABLES, now=NOW))

    assert variables["url"] == "http://test.example:8080"
    assert list(variables) == ["App Port", "Environment", "Url"]
    with pytest.raises(KeyError):
        variables["Nothing"]
