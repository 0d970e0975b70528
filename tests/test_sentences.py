from hypothesis import given, settings
from hypothesis import strategies as st

from stance.sentences import split_sentences


def texts(text):
    return [s.text for s in split_sentences(text)]


def test_terminators_and_line_breaks():
    assert texts("قال الوزير. وأضاف أن الوضع صعب؟ نعم! انتهى؛ ثم\nعنوان بلا نقطة") == [
        "قال الوزير.", "وأضاف أن الوضع صعب؟", "نعم!", "انتهى؛", "ثم", "عنوان بلا نقطة",
    ]


def test_decimal_numbers_do_not_split():
    assert texts("بلغ النمو 3.5 بالمئة. ثم تراجع.") == ["بلغ النمو 3.5 بالمئة.", "ثم تراجع."]


def test_abbreviations_and_initials():
    assert texts("قال د. أحمد إن م. علي وصل. انتهى.") == ["قال د. أحمد إن م. علي وصل.", "انتهى."]


def test_ellipsis_is_not_a_boundary():
    assert texts("قال إن الأمر... معقد جدا. انتهى…") == ["قال إن الأمر... معقد جدا.", "انتهى…"]


def test_closing_quotes_stay_with_their_sentence():
    assert texts("قال: “سنرد بقوة.” وأضاف «لن نتراجع.» ثم غادر.") == [
        "قال: “سنرد بقوة.”", "وأضاف «لن نتراجع.»", "ثم غادر.",
    ]


def test_list_bullets_are_trimmed():
    assert texts("أبرز النقاط:\n- انسحاب القوات\n• وقف الهجمات\n1. تشكيل لجنة") == [
        "أبرز النقاط:", "انسحاب القوات", "وقف الهجمات", "تشكيل لجنة",
    ]


def test_empty_and_punctuation_only():
    assert split_sentences("") == []
    assert split_sentences(" \n***\n---\n") == []


def test_seed_article_splits_into_its_gold_lines(seed_text, seed_gold):
    sentences = split_sentences(seed_text)
    assert [s.text for s in sentences] == [g["text"] for g in seed_gold]


def test_crlf_line_ends():
    assert texts("عنوان\r\nقال الوزير.\r\n") == ["عنوان", "قال الوزير."]


@given(st.text(max_size=200))
@settings(max_examples=300)
def test_spans_slice_the_original(text):
    previous_end = 0
    for i, s in enumerate(split_sentences(text)):
        assert s.index == i
        assert text[s.start:s.end] == s.text
        assert s.start >= previous_end and s.start < s.end
        assert s.text == s.text.strip()
        previous_end = s.end


def test_very_long_line_is_cut_into_bounded_sentences():
    text = ("قال المسؤول إن الوضع معقد، " * 40000).strip()  # about 1 MB of characters, no period
    sentences = split_sentences(text)
    assert len(sentences) > 100
    assert all(len(s.text) <= 1500 for s in sentences)
    assert all(text[s.start:s.end] == s.text for s in sentences)


def _reference_is_abbreviation(line: str, dot: int) -> bool:
    """The former implementation (a regex searched from the start of the line for every period)."""
    import re

    from stance.sentences import _ABBREVIATIONS

    word = re.compile(r"(\w+)$").search(line, 0, dot)
    if word is None:
        return False
    token = word.group(1)
    if token.isdigit():
        return not line[: word.start()].strip()
    return len(token) == 1 or token in _ABBREVIATIONS


@given(st.text(alphabet="دمأقالخ1234 .\t_ـَ", max_size=60))
@settings(max_examples=500)
def test_abbreviation_lookback_equals_the_former_search(line):
    from stance.sentences import _is_abbreviation

    first_char = len(line) - len(line.lstrip())
    for dot, c in enumerate(line):
        if c == ".":
            assert _is_abbreviation(line, dot, first_char) == _reference_is_abbreviation(line, dot)


def test_long_line_with_periods_is_split_in_linear_time(seed_text):
    """Each period looks back at its own word only: splitting costs the same per character at 64 KB and
    at 1 MB (counted in calls to the character test, not timed)."""
    import stance.sentences as sentences

    line = seed_text.replace("\n", " ") + " "
    calls = []
    original = sentences._is_word_char

    def counting(c):
        calls.append(1)
        return original(c)

    per_char = []
    for size in (64_000, 1_000_000):
        text = line * (size // len(line) + 1)
        calls.clear()
        sentences._is_word_char = counting
        try:
            spans = split_sentences(text)
        finally:
            sentences._is_word_char = original
        assert spans and all(text[s.start:s.end] == s.text for s in spans)
        per_char.append(len(calls) / len(text))
    assert per_char[1] <= 1.1 * per_char[0]
