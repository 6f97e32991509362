from __future__ import annotations

import time

from hypothesis import assume, given
from hypothesis import strategies as st

from seaway.domain.masking import MASK, MIN_LINE_PIECE, Masker


def test_every_occurrence_of_a_secret_is_masked() -> None:
    masker = Masker(["hunter2"])
    assert masker.mask("password=hunter2; again hunter2") == f"password={MASK}; again {MASK}"


def test_every_secret_is_masked() -> None:
    assert Masker(["alpha", "bravo"]).mask("alpha bravo charlie") == f"{MASK} {MASK} charlie"


def test_text_without_secrets_is_unchanged() -> None:
    assert Masker(["hunter2"]).mask("nothing to see") == "nothing to see"


def test_a_masker_without_secrets_returns_the_text() -> None:
    assert Masker([]).mask("hunter2") == "hunter2"


def test_empty_and_blank_secrets_are_ignored() -> None:
    assert Masker(["", " ", "\t\n"]).mask("a b\tc") == "a b\tc"


def test_a_secret_that_contains_another_is_masked_whole() -> None:
    masker = Masker(["pass", "password123"])
    assert masker.mask("password123 pass") == f"{MASK} {MASK}"


def test_secrets_are_matched_literally_not_as_patterns() -> None:
    masker = Masker(["a.c", "(x|y)"])
    assert masker.mask("abc a.c (x|y) x") == f"abc {MASK} {MASK} x"


def test_each_line_of_a_multi_line_secret_is_masked_on_its_own() -> None:
    key = "-----BEGIN KEY-----\nMIIEvQIBADANBgkq\nhkiG9w0BAQEFAASC\n-----END KEY-----"
    masker = Masker([key])
    assert masker.mask(key) == MASK
    assert masker.mask("  MIIEvQIBADANBgkq") == f"  {MASK}"
    assert masker.mask("hkiG9w0BAQEFAASC\r") == f"{MASK}\r"


def test_short_lines_of_a_multi_line_secret_are_not_masked_on_their_own() -> None:
    masker = Masker(['{\n  "token": "abcdef"\n}'])
    assert masker.mask("{") == "{"
    assert masker.mask('  "token": "abcdef"') == f"  {MASK}"
    assert MIN_LINE_PIECE == 4


def test_a_secret_with_a_trailing_line_break_is_masked_without_it() -> None:
    assert Masker(["abc\n"]).mask("value: abc") == f"value: {MASK}"


def test_a_secret_made_only_of_asterisks_is_ignored() -> None:
    assert Masker(["***", "* *"]).mask("a *** b") == "a *** b"


def test_a_secret_containing_an_asterisk_is_not_re_formed_next_to_a_mask() -> None:
    # Masking "x" alone would leave "*********a", which contains the secret "**a".
    masker = Masker(["x", "**a"])
    masked = masker.mask("x*a")
    assert "**a" not in masked
    assert "x" not in masked


def test_the_masker_does_not_show_its_secrets() -> None:
    assert "hunter2" not in repr(Masker(["hunter2"]))


def test_masking_many_lines_is_fast() -> None:
    masker = Masker([f"secret-{i:03}-value" for i in range(50)])
    lines = [f"line {i}: connecting with secret-{i % 50:03}-value to server" for i in range(20_000)]
    started = time.perf_counter()
    masked = [masker.mask(line) for line in lines]
    elapsed = time.perf_counter() - started
    assert all(MASK in line for line in masked)
    assert elapsed < 2.0


# --- properties --------------------------------------------------------------------------------

ALPHABET = st.sampled_from("ab*\n x")
secrets_ = st.lists(st.text(ALPHABET, min_size=1, max_size=6), max_size=4)


def _hidden_pieces(secret: str) -> list[str]:
    """What the masker promises to hide for one secret (see the module docstring)."""
    if not secret.replace("*", "").strip():
        return []
    if secret.splitlines() == [secret]:
        return [secret]
    lines = [line.strip() for line in secret.splitlines() if line.strip()]
    if len(lines) == 1:
        return [secret, lines[0]]
    return [secret] + [line for line in lines if len(line) >= MIN_LINE_PIECE and line.replace("*", "").strip()]


@given(secrets_, st.text(ALPHABET, max_size=40))
def test_the_masked_text_contains_no_secret(secrets: list[str], text: str) -> None:
    masked = Masker(secrets).mask(text)
    for secret in secrets:
        for piece in _hidden_pieces(secret):
            assert piece not in masked


@given(secrets_, st.lists(st.text(ALPHABET, max_size=6), max_size=5))
def test_a_secret_embedded_in_text_never_survives(secrets: list[str], fillers: list[str]) -> None:
    assume(secrets)
    text = "".join(f"{filler}{secret}" for filler, secret in zip(fillers, secrets * 5, strict=False))
    masked = Masker(secrets).mask(text)
    assert all(piece not in masked for secret in secrets for piece in _hidden_pieces(secret))


@given(secrets_, st.text(ALPHABET, max_size=40))
def test_masking_twice_changes_nothing_more(secrets: list[str], text: str) -> None:
    masker = Masker(secrets)
    once = masker.mask(text)
    assert masker.mask(once) == once


@given(st.text(st.sampled_from("cdef \n"), max_size=40))
def test_text_that_shares_no_character_with_the_secrets_is_unchanged(text: str) -> None:
    assert Masker(["ab", "a*b"]).mask(text) == text
