"""Filters: chains, options, and each built-in's behaviour (including when a filter echoes)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest

from seaway.domain.templates import FILTERS, evaluate, evaluate_with_errors

NOW = datetime(2030, 5, 22, 7, 5, 0, tzinfo=UTC)
PLUS_TWO = timezone(timedelta(hours=2))


def render(template: str, **variables: str) -> str:
    return evaluate(template, variables, now=NOW.astimezone(PLUS_TWO))


def test_filters_chain_left_to_right_with_their_options() -> None:
    assert render('#{Name | Replace "-" _ | ToUpper | Append " (" #{Env} ")"}', Name="my-app", Env="prod") == (
        "MY_APP (prod)"
    )


def test_filter_names_ignore_case_and_options_can_be_nested_tokens() -> None:
    assert render("#{Text | tobase64 | FROMBASE64 | Substring #{Length}}", Text="Octopus", Length="3") == "Oct"


def test_an_unknown_filter_or_wrong_options_echo_the_token() -> None:
    result = evaluate_with_errors("#{Foo | ToBazooka 6} #{Foo | Contains a b}", {"Foo": "x"}, now=NOW)

    assert result.text == '#{Foo | ToBazooka "6"} #{Foo | Contains "a" "b"}'
    assert len(result.unresolved) == 2


def test_a_filter_on_a_missing_variable_echoes_but_append_does_not_need_one() -> None:
    assert render("#{Missing | ToUpper}") == "#{Missing | ToUpper}"
    assert render("#{ | Append a #{B}}", B="b") == "ab"


@pytest.mark.parametrize(
    ("template", "value", "expected"),
    [
        ("#{V | ToUpper}", "straße", "STRAßE"),
        ("#{V | ToLower}", "ÀB", "àb"),
        ("#{V | Trim}", " \t x \n", "x"),
        ("#{V | Trim Start}", " x ", "x "),
        ("#{V | Substring 2 3}", "abcdef", "cde"),
        ("#{V | Substring 4 100}", "abcdef", "ef"),
        ("#{V | Substring 6}", "abcdef", "abcdef"),
        ("#{V | Truncate 3}", "abcdef", "abc..."),
        ('#{V | Truncate 3 ""}', "abcdef", "abc"),
        ("#{V | Truncate 10}", "abcdef", "abcdef"),
        ("#{V | Indent}", "a\nb", "    a\n    b"),
        ("#{V | Indent 2/4}", "a\nb", "  a\n    b"),
        ('#{V | Indent \\"# \\"}', "a\nb", "# a\n# b"),
        ("#{V | Prepend v}", "1.0", "v1.0"),
        ('#{V | Replace "(\\w+)@(\\w+)" "$2 at $1"}', "me@host", "host at me"),
        ('#{V | Replace "(?<user>\\w+)@" "${user}:"}', "me@host", "me:host"),
        ('#{V | Match "^v[0-9]+$"}', "v12", "true"),
        ("#{V | StartsWith ab}", "abc", "true"),
        ("#{V | EndsWith AB}", "abc", "false"),
    ],
)
def test_text_filters(template: str, value: str, expected: str) -> None:
    assert render(template, V=value) == expected


@pytest.mark.parametrize(
    ("template", "value", "expected"),
    [
        ("#{V | HtmlEscape}", "<a href='/x'>&</a>", "&lt;a href=&apos;&#x2F;x&apos;&gt;&amp;&lt;&#x2F;a&gt;"),
        ("#{V | XmlEscape}", "<a href='/x'>", "&lt;a href=&apos;/x&apos;&gt;"),
        ("#{V | JsonEscape}", 'say "hi"\n\\', 'say \\"hi\\"\\n\\\\'),
        ("#{V | YamlSingleQuoteEscape}", "it's\nok", "it''s\n\nok"),
        ("#{V | YamlDoubleQuoteEscape}", 'é"\t', '\\u00e9\\"\\t'),
        ("#{V | PropertiesKeyEscape}", "a key=v:1", "a\\ key\\=v\\:1"),
        ("#{V | PropertiesValueEscape}", " a=b ", "\\ a=b "),
        ("#{V | UriEscape}", "a b/ü?x=1", "a%20b/%C3%BC?x=1"),
        ("#{V | UriDataEscape}", "a b/ü?x=1", "a%20b%2F%C3%BC%3Fx%3D1"),
    ],
)
def test_escaping_filters(template: str, value: str, expected: str) -> None:
    assert render(template, V=value) == expected


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("#{V | ToBase64}", "T2N0b3B1cw=="),
        ("#{V | ToBase64 unicode}", "TwBjAHQAbwBwAHUAcwA="),
        ("#{V | Base64Encode}", "T2N0b3B1cw=="),
        ("#{V | Md5}", hashlib.md5(b"Octopus", usedforsecurity=False).hexdigest()),
        ("#{V | Sha1 unicode}", hashlib.sha1("Octopus".encode("utf-16-le"), usedforsecurity=False).hexdigest()),
        ("#{V | Sha512 2}", hashlib.sha512(b"Octopus").hexdigest()[:4]),
    ],
)
def test_encoding_filters(template: str, expected: str) -> None:
    assert render(template, V="Octopus") == expected


def test_hashes_take_an_encoding_and_a_size_in_either_order() -> None:
    full = render("#{V | Sha256}", V="x")

    assert render("#{V | Sha256 4}", V="x") == full[:8]
    assert render("#{V | Sha256 utf8 4}", V="x") == render("#{V | Sha256 4 utf-8}", V="x") == full[:8]
    assert render("#{V | Sha256 base64}", V="eA==") == full
    assert render("#{V | Sha256 0}", V="x") == '#{V | Sha256 "0"}'


def test_invalid_base64_echoes_instead_of_failing() -> None:
    assert render("#{V | FromBase64}", V="%%%") == "#{V | FromBase64}"


@pytest.mark.parametrize(
    ("template", "value", "expected"),
    [
        ("#{V | Format N2}", "1234.5", "1,234.50"),
        ('#{V | Format \\"#,##0.0\\"}', "1234.56", "1,234.6"),
        ("#{V | Format Int32 D4}", "42", "0042"),
        ("#{V | Format int X}", "255", "FF"),
        ("#{V | Format Double P1}", "0.256", "25.6 %"),
        ("#{V | Format Decimal C}", "-3", "(¤3.00)"),
        ('#{V | Format "yyyy-MM-dd"}', "22 May 2030", "2030-05-22"),
        ('#{V | Format Date "dddd d MMMM, h:mm tt"}', "2030-05-22 21:05:00", "Wednesday 22 May, 9:05 PM"),
        ("#{V | Format DateTimeOffset zzz}", "2030-05-22T09:05:00-03:00", "-03:00"),
        ("#{V | Format DateTimeOffset zzz}", "2030-05-22 09:05:00", "+02:00"),
        ("#{V | Format Date HH:mm}", "2030-05-22T09:05:00Z", "11:05"),
        ("#{V | Format yyyy}", "not a date", '#{V | Format "yyyy"}'),
        ("#{V | Format Double D}", "1.5", '#{V | Format "Double" "D"}'),
    ],
)
def test_format_uses_dotnet_format_strings_in_the_invariant_culture(template: str, value: str, expected: str) -> None:
    assert render(template, V=value) == expected


@pytest.mark.parametrize(
    ("template", "value", "expected"),
    [
        ("#{V | AddHours 2}", "2030-05-22 09:05:00", "2030-05-22T11:05:00.0000000"),
        ('#{V | AddHours "-1.5"}', "2030-05-22T09:05:00Z", "2030-05-22T07:35:00.0000000Z"),
        ("#{V | AddDays 10}", "2030-05-22T09:05:00+02:00", "2030-06-01T09:05:00.0000000+02:00"),
        ("#{V | AddDays x}", "2030-05-22", '#{V | AddDays "x"}'),
    ],
)
def test_date_arithmetic_keeps_the_zone_it_was_given(template: str, value: str, expected: str) -> None:
    assert render(template, V=value) == expected


def test_now_dates_use_the_evaluation_now_and_echo_when_given_an_input() -> None:
    assert render("#{ | NowDateUtc}") == "2030-05-22T07:05:00.0000000Z"
    assert render("#{ | NowDate}") == "2030-05-22T09:05:00.0000000"
    assert render("#{ | NowDate HH:mm}") == "09:05"
    assert render("#{V | NowDate}", V="x") == "#{V | NowDate}"


@pytest.mark.parametrize(
    ("part", "expected"),
    [
        ("Host", "example.org"),
        ("Port", "8443"),
        ("Scheme", "https"),
        ("AbsolutePath", "/a%20b/c"),
        ("Path", "/a b/c"),
        ("Query", "?q=1"),
        ("Fragment", "#top"),
        ("PathAndQuery", "/a%20b/c?q=1"),
        ("Authority", "example.org:8443"),
        ("HostAndPort", "example.org:8443"),
        ("SchemeAndServer", "https://example.org:8443"),
        ("UserInfo", "me"),
        ("IsDefaultPort", "false"),
        ("IsLoopback", "false"),
        ("HostNameType", "Dns"),
        ("AbsoluteUri", "https://me@example.org:8443/a%20b/c?q=1#top"),
        ("Nope", "[UriPart Nope error: argument 'Nope' not supported]"),
    ],
)
def test_uri_part_reads_the_parts_of_a_uri(part: str, expected: str) -> None:
    assert render(f"#{{V | UriPart {part}}}", V="https://me@example.org:8443/a b/./c?q=1#top") == expected


def test_uri_part_of_a_relative_uri_is_an_error_message() -> None:
    assert render("#{V | UriPart Host}", V="/docs") == (
        "[UriPart Host error: This operation is not supported for a relative URI.]"
    )
    assert render("#{V | UriPart IsAbsoluteUri}", V="/docs") == "false"


@pytest.mark.parametrize(
    ("version", "parts"),
    [
        ("1.2.3.4-beta.5+sha.abc", ["1", "2", "3", "4", "beta.5", "beta", "5", "sha.abc"]),
        ("v2", ["2", "0", "0", "0", "", "", "", ""]),
        ("2024.1.0-rc_2", ["2024", "1", "0", "0", "rc_2", "rc", "2", ""]),
        ("latest", ["0", "0", "0", "0", "latest", "latest", "", ""]),
    ],
)
def test_version_filters_read_octopus_versions(version: str, parts: list[str]) -> None:
    names = ["Major", "Minor", "Patch", "Revision", "PreRelease", "PreReleasePrefix", "PreReleaseCounter", "Metadata"]

    assert [render(f"#{{V | Version{name}}}", V=version) for name in names] == parts


def test_markdown_renders_html() -> None:
    assert render("#{V | Markdown}", V="# Hi\n\n*there*, see <https://x.org>").strip() == (
        '<h1>Hi</h1>\n<p><em>there</em>, see <a href="https://x.org">https://x.org</a></p>'
    )


def test_every_filter_the_reference_lists_is_available() -> None:
    listed = {
        "ToUpper",
        "ToLower",
        "ToBase64",
        "FromBase64",
        "HtmlEscape",
        "XmlEscape",
        "JsonEscape",
        "YamlSingleQuoteEscape",
        "YamlDoubleQuoteEscape",
        "PropertiesKeyEscape",
        "PropertiesValueEscape",
        "Markdown",
        "MarkdownToHtml",
        "UriEscape",
        "UriDataEscape",
        "NowDate",
        "NowDateUtc",
        "AddHours",
        "AddDays",
        "Format",
        "Match",
        "Replace",
        "StartsWith",
        "EndsWith",
        "Contains",
        "Substring",
        "Truncate",
        "Trim",
        "Indent",
        "UriPart",
        "VersionMajor",
        "VersionMinor",
        "VersionPatch",
        "VersionRevision",
        "VersionPreRelease",
        "VersionPreReleasePrefix",
        "VersionPreReleaseCounter",
        "VersionMetadata",
        "Append",
        "Prepend",
        "Md5",
        "Sha1",
        "Sha256",
        "Sha384",
        "Sha512",
        "Null",
    }

    assert {name.lower() for name in listed} <= set(FILTERS)
