"""Versions order as SemVer 2 says (with Octopus's 1 to 4 numbers), ranges read as NuGet reads them."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seaway.domain.semver import SemVer, VersionRange, latest_version, parse_version
from seaway.errors import InvalidInput


def v(text: str) -> SemVer:
    version = parse_version(text)
    assert version is not None, text
    return version


@pytest.mark.parametrize(
    ("text", "release", "prerelease", "build"),
    [
        ("1", (1,), (), ""),
        ("1.0", (1, 0), (), ""),
        ("1.0.1", (1, 0, 1), (), ""),
        ("1.0.1.7", (1, 0, 1, 7), (), ""),
        ("2.0.0-beta.1+sha.5", (2, 0, 0), ("beta", "1"), "sha.5"),
        ("1.0.0-tag-release.tag+buildmeta", (1, 0, 0), ("tag-release", "tag"), "buildmeta"),
        ("1.0.0+20260101", (1, 0, 0), (), "20260101"),
        (" 1.2.3 ", (1, 2, 3), (), ""),
    ],
)
def test_versions_parse_into_their_parts(text: str, release: tuple[int, ...], prerelease: tuple[str, ...], build: str):
    version = v(text)
    assert (version.release, version.prerelease, version.build) == (release, prerelease, build)


@pytest.mark.parametrize(
    "text", ["", "v1.0", "1.", "1..0", "1.0.0.0.0", "1.0-", "1.0+", "1.0-beta..1", "1.0-beta_1", "a.b", "1.0 beta"]
)
def test_other_texts_are_not_versions(text: str) -> None:
    assert parse_version(text) is None


def test_the_prerelease_tag_is_what_follows_the_dash_without_build_metadata() -> None:
    assert v("2.0.0-beta.1+sha.5").prerelease_tag == "beta.1"
    assert v("2.0.0-beta.1+sha.5").is_prerelease
    assert v("2.0.0+sha.5").prerelease_tag == ""
    assert not v("2.0.0").is_prerelease


def test_the_semver_specs_own_precedence_example() -> None:
    ordered = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.1.0",
        "2.0.0",
    ]
    for lower, higher in itertools.pairwise(ordered):
        assert v(lower) < v(higher), (lower, higher)
    assert sorted(ordered[::-1], key=v) == ordered


def test_numbers_compare_as_numbers_and_missing_parts_count_as_zero() -> None:
    assert v("1.10.0") > v("1.9.0")
    assert v("1.0") == v("1.0.0") == v("1.0.0.0") == v("1")
    assert hash(v("1.0")) == hash(v("1.0.0.0"))
    assert v("1.0.0.1") > v("1.0.0")
    assert v("1.0.0.1-beta") < v("1.0.0.1")


def test_build_metadata_is_shown_but_never_ordered() -> None:
    assert v("1.0.0+a") == v("1.0.0+b")
    assert not v("1.0.0+a") < v("1.0.0+b")
    assert str(v("1.0.0+a")) == "1.0.0+a"


def test_numeric_identifiers_sort_below_alphanumeric_ones() -> None:
    assert v("1.0.0-1") < v("1.0.0-alpha")
    assert v("1.0.0-alpha.9") < v("1.0.0-alpha.a")


def test_a_version_built_by_hand_is_checked() -> None:
    with pytest.raises(InvalidInput):
        SemVer(release=(1, 2, 3, 4, 5))
    with pytest.raises(InvalidInput):
        SemVer(release=(1,), prerelease=("",))
    with pytest.raises(InvalidInput):
        SemVer(release=(1,), build="a..b")


_identifier = st.one_of(
    st.integers(min_value=0, max_value=10**6).map(str),
    st.text(alphabet="abcxyzABZ-019", min_size=1, max_size=6),
)
versions = st.builds(
    SemVer,
    release=st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=4).map(tuple),
    prerelease=st.lists(_identifier, max_size=3).map(tuple),
    build=st.one_of(
        st.just(""), st.lists(st.text(alphabet="abc019-", min_size=1, max_size=4), min_size=1).map(".".join)
    ),
)


@given(versions)
def test_a_version_round_trips_through_its_text(version: SemVer) -> None:
    again = parse_version(str(version))
    assert again == version
    assert again is not None and str(again) == str(version)
    assert (again.release, again.prerelease, again.build) == (version.release, version.prerelease, version.build)


@given(versions, versions)
def test_any_two_versions_compare_exactly_one_way(a: SemVer, b: SemVer) -> None:
    assert [a < b, a == b, a > b].count(True) == 1
    assert (a <= b) == (a < b or a == b)
    assert (a >= b) == (a > b or a == b)
    if a == b:
        assert hash(a) == hash(b)


@given(versions, versions, versions)
def test_the_order_is_transitive(a: SemVer, b: SemVer, c: SemVer) -> None:
    if a <= b and b <= c:
        assert a <= c


@given(st.lists(versions, max_size=12), st.randoms())
def test_sorting_gives_the_same_order_from_any_start(items: list[SemVer], rnd) -> None:
    ordered = sorted(items)
    assert all(x <= y for x, y in itertools.pairwise(ordered))
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert sorted(shuffled) == ordered  # equal position by position, as versions compare


def _spec_compare(a: SemVer, b: SemVer) -> int:
    """SemVer 2 §11 spelled out rule by rule, to check the ordering against."""
    padded_a, padded_b = a.release + (0,) * (4 - len(a.release)), b.release + (0,) * (4 - len(b.release))
    if padded_a != padded_b:
        return -1 if padded_a < padded_b else 1
    if not a.prerelease or not b.prerelease:
        return (not a.prerelease) - (not b.prerelease)
    for x, y in zip(a.prerelease, b.prerelease, strict=False):
        if x.isdigit() and y.isdigit():
            if int(x) != int(y):
                return -1 if int(x) < int(y) else 1
        elif x.isdigit() != y.isdigit():
            return -1 if x.isdigit() else 1
        elif x != y:
            return -1 if x < y else 1
    return (len(a.prerelease) > len(b.prerelease)) - (len(a.prerelease) < len(b.prerelease))


@given(versions, versions)
def test_the_order_is_the_one_the_spec_describes(a: SemVer, b: SemVer) -> None:
    expected = _spec_compare(a, b)
    assert (a < b, a == b, a > b) == (expected < 0, expected == 0, expected > 0)


@given(versions)
def test_a_pre_release_sorts_below_its_release(version: SemVer) -> None:
    release = SemVer(version.release)
    if version.is_prerelease:
        assert version < release
    else:
        assert version == release


# Ranges


@pytest.mark.parametrize(
    ("text", "inside", "outside"),
    [
        ("1.0", ["1.0", "1.0.0", "1.5", "99.0"], ["0.9", "1.0-beta"]),
        ("[1.0]", ["1.0", "1.0.0.0"], ["1.0.1", "0.9"]),
        ("[1.0,2.0)", ["1.0", "1.9.9", "2.0.0-beta"], ["2.0", "0.9"]),
        ("(1.0,)", ["1.0.1", "3.0"], ["1.0", "0.1"]),
        ("(,2.0]", ["0.1", "2.0"], ["2.0.1"]),
        ("[2.0.0-alpha.1,2.0.0)", ["2.0.0-alpha.1", "2.0.0-beta"], ["2.0.0", "2.0.0-alpha"]),
        ("  [ 1.0 , 2.0 ]  ", ["1.0", "2.0"], ["2.1"]),
        ("[1.0,1.0]", ["1.0"], ["1.0.1"]),
    ],
)
def test_a_range_contains_what_nuget_says(text: str, inside: list[str], outside: list[str]) -> None:
    allowed = VersionRange.parse(text)
    for version in inside:
        assert allowed.contains(v(version)), (text, version)
    for version in outside:
        assert not allowed.contains(v(version)), (text, version)


def test_a_range_is_shown_in_nugets_normal_form() -> None:
    assert str(VersionRange.parse("1.0")) == "[1.0, )"
    assert str(VersionRange.parse("[1.0]")) == "[1.0]"
    assert str(VersionRange.parse("(,2.0)")) == "(, 2.0)"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "it is empty"),
        ("   ", "it is empty"),
        ("[1.0,2.0", 'does not close with "]" or ")"'),
        ("1.0,2.0)", 'must open with "[" or "("'),
        ("[1.0,2.0,3.0]", 'more than one ","'),
        ("(1.0)", 'as in "[1.0]"'),
        ("[1.0)", 'as in "[1.0]"'),
        ("[]", "the brackets are empty"),
        ("(,)", "neither a lower nor an upper bound"),
        ("[abc,2.0)", '"abc" is not a version'),
        ("1.0.*", '"1.0.*" is not a version'),
        ("[2.0,1.0]", "lower bound 2.0 is above its upper bound 1.0"),
        ("(1.0,1.0]", "contains no version at all"),
    ],
)
def test_a_bad_range_says_what_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as error:
        VersionRange.parse(text)
    assert error.value.field == "versions"
    assert error.value.message.startswith(f'"{text}" is not a version range: ')
    assert reason in error.value.message


def test_the_field_of_a_bad_range_is_the_callers() -> None:
    with pytest.raises(InvalidInput) as error:
        VersionRange.parse("[x]", field="channels[0].rules[0].versions")
    assert error.value.field == "channels[0].rules[0].versions"


# Latest version

FEED = ["1.0.0", "1.1.0", "2.0.0-beta.1", "2.0.0-beta.2", "1.2.0-rc.1", "not-a-version", "1.10.0", "1.9.0"]


def test_the_latest_is_by_semver_not_by_text() -> None:
    assert latest_version(FEED) == "2.0.0-beta.2"
    assert latest_version(["1.9.0", "1.10.0", "1.2.0"]) == "1.10.0"


def test_a_stable_only_tag_rule_skips_pre_releases() -> None:
    assert latest_version(FEED, tag="^$") == "1.10.0"


def test_a_tag_rule_picks_one_kind_of_pre_release() -> None:
    assert latest_version(FEED, tag="^rc") == "1.2.0-rc.1"
    assert latest_version(FEED, tag="^beta") == "2.0.0-beta.2"
    assert latest_version(["1.0.0-beta+sha.1", "1.0.0-beta.1"], tag="beta$") == "1.0.0-beta+sha.1"


def test_the_range_and_the_tag_apply_together() -> None:
    assert latest_version(FEED, allowed=VersionRange.parse("[1.0,1.5)")) == "1.2.0-rc.1"
    assert latest_version(FEED, allowed=VersionRange.parse("[1.0,1.5)"), tag="^$") == "1.1.0"
    assert latest_version(FEED, allowed=VersionRange.parse("[3.0,)")) is None


def test_a_version_is_returned_as_written() -> None:
    assert latest_version(["1.0", "0.9"]) == "1.0"
    assert latest_version(["1.0+build.7"]) == "1.0+build.7"
    assert latest_version(["1.0", "1.0.0"]) == "1.0"


def test_nothing_to_choose_from_is_none() -> None:
    assert latest_version([]) is None
    assert latest_version(["latest", "v2"]) is None


def test_a_bad_tag_rule_is_refused_even_with_no_versions() -> None:
    with pytest.raises(InvalidInput) as error:
        latest_version([], tag="^(beta")
    assert error.value.field == "tag"
    assert '"^(beta" is not a regular expression' in error.value.message
