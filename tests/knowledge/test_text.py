"""How a question's words are read: the engine matches names on these tokens, so a member who
types "D.C.'s", a curly apostrophe or a pasted zero-width space must get the same words."""

import pytest

from bot.knowledge.text import clean, normalize, raw_tokens


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("coder pay in D.C.", ["coder", "pay", "in", "DC"]),
        ("D.C.'s coders", ["DC", "coders"]),
        ("what's a CPC worth", ["what", "a", "CPC", "worth"]),
        ("what’s a CPC worth", ["what", "a", "CPC", "worth"]),  # a phone's curly apostrophe
        ("Ohio`s median", ["Ohio", "median"]),
        ("8+ years, top 10%", ["8", "+", "years", "top", "10", "%"]),
        ("entry–level coder — pay", ["entry", "level", "coder", "pay"]),  # dashes, no ASCII
        ("C\u200bP\u200bC pay – now", ["CPC", "pay", "now"]),  # zero-width spaces pasted in
        ("CPC\tpay\nin Ohio", ["CPC", "pay", "in", "Ohio"]),
        ("3.5 years", ["3", "5", "years"]),
    ],
)
def test_words_are_read_as_typed(typed: str, words: list[str]) -> None:
    assert raw_tokens(typed) == words


def test_controls_and_format_characters_leave_no_trace() -> None:
    assert clean("pay\u200d in\u202e Texas – 2026") == "pay in Texas – 2026"
    assert clean("a\x00b\tc") == "ab c"


def test_full_width_letters_fold_to_plain_ones() -> None:
    assert normalize("ＣＰＣ salary") == "cpc salary"
