"""Every catalogue message, rendered for every reader: nobody gets words meant for the other side.

A reader is a side in a relationship (learner, guide, peer), a kind and a format, and whether the match
was approved although the guide assesses the learner. Each text is rendered in the variant the
catalogue holds for that reader (``bot.readers``) and checked against the phrases that would tell the
reader they are on the wrong end of the message.
"""

from __future__ import annotations

import itertools

import pytest

from bot.catalogue import Catalogue
from bot.catalogue import default_catalogue
from bot.errors import ConfigError
from bot.readers import FORMATS
from bot.readers import KINDS
from bot.readers import Reader
from bot.readers import reaches
from bot.readers import split_variant
from bot.readers import wrong_phrases


def all_readers() -> list[Reader]:
    readers: list[Reader] = []
    for kind, fmt in itertools.product(KINDS, FORMATS):
        if fmt in ("peer", "near-peer"):
            readers.append(Reader("peer", kind, fmt))
            continue
        for side in ("learner", "guide"):
            readers += [Reader(side, kind, fmt), Reader(side, kind, fmt, assessor=True)]
        readers.append(Reader("peer", kind, fmt))
    return readers


def base_keys(cat: Catalogue) -> list[str]:
    return sorted({split_variant(k)[0] for k in cat.as_dict()})


def render(cat: Catalogue, key: str, reader: Reader) -> str:
    resolved = cat.resolve(key, reader)
    return cat.text(resolved, **dict.fromkeys(cat.placeholders(resolved), "X"))


def test_every_message_for_every_reader_has_no_words_for_the_wrong_reader() -> None:
    cat = default_catalogue()
    wrong: dict[str, set[str]] = {}
    for key in base_keys(cat):
        for reader in all_readers():
            if not reaches(key, reader):
                continue
            for phrase in wrong_phrases(render(cat, key, reader), reader):
                label = f"{reader.side}{'+assessor' if reader.assessor else ''} ({reader.kind})"
                wrong.setdefault(key, set()).add(f"{phrase!r} to {label}")
    assert not wrong, "\n".join(f"{k}: {sorted(v)}" for k, v in sorted(wrong.items()))


def test_the_most_specific_variant_wins() -> None:
    cat = Catalogue(
        {
            "k": "default",
            "k@guide": "guide",
            "k@guide+sponsorship": "sponsor",
            "k@learner+assessor": "assessed",
            "k@peer": "peer",
        }
    )
    assert cat.text_for("k", Reader("learner", "mentoring", "one-to-one")) == "default"
    assert cat.text_for("k", Reader("guide", "mentoring", "one-to-one")) == "guide"
    assert cat.text_for("k", Reader("guide", "sponsorship", "one-to-one")) == "sponsor"
    assert cat.text_for("k", Reader("learner", "mentoring", "group", assessor=True)) == "assessed"
    assert cat.text_for("k", Reader("peer", "coaching", "peer")) == "peer"


@pytest.mark.parametrize(
    ("texts", "reason"),
    [
        ({"k@guide": "x"}, "needs the text 'k' itself"),
        ({"k": "x", "k@teacher": "y"}, "unknown reader 'teacher'"),
        ({"k": "x", "k@guide": "{name}"}, "which 'k' does not fill"),
        ({"k": "x", "k@mentoring+guide": "y"}, "@side+other"),
    ],
)
def test_a_bad_variant_is_refused(texts: dict[str, str], reason: str) -> None:
    with pytest.raises(ConfigError) as err:
        Catalogue(texts)
    assert reason in str(err.value)
