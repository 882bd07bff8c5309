"""Plain words on the page: one table keyed by real names, units and bounds from the schemas."""

from __future__ import annotations

import re
import typing

from sim.events import EVENT_KINDS
from sim.params import spec
from sim.ui import controls as ct
from sim.ui.wording import CHOICE_WORDS, EVENT_WORDS, OPTION_WORDS, SLIDER_WORDS

FORMULA = re.compile(r"[=*/^]|\bx\b|_[a-z]|\b[a-z]+\.[a-z_]+\b")
"""Signs of a programmer's text: operators, snake_case or dotted parameter names."""


def test_given_the_slider_words_then_every_key_is_a_real_parameter_and_every_slider_has_words():
    for name in SLIDER_WORDS:
        spec(name)  # raises for an unknown parameter
    sliders = {n for names in ct.THEMES.values() for n in names}
    assert sliders == set(SLIDER_WORDS)


def test_given_a_slider_then_its_unit_and_bounds_come_from_the_schema_not_the_words():
    for name, (label, words) in SLIDER_WORDS.items():
        sl = ct.slider(name)
        s = spec(name)
        assert sl.label == label
        assert sl.help.startswith(words)
        assert f"usually {ct.num(s.default)}" in sl.help
        assert s.lo <= sl.lo < sl.hi <= s.hi
        assert not re.search(r"\d", words), f"{name}: numbers belong to the schema"


def test_given_the_words_then_none_reads_like_a_formula_or_code():
    texts = [t for pair in SLIDER_WORDS.values() for t in pair]
    texts += [t for pair in EVENT_WORDS.values() for t in pair]
    texts += list(OPTION_WORDS.values()) + list(CHOICE_WORDS.values())
    assert [t for t in texts if FORMULA.search(t)] == []


def test_given_the_event_words_then_they_name_real_event_kinds_options_and_choices():
    assert set(EVENT_WORDS) <= set(EVENT_KINDS)
    options = {n for k in EVENT_WORDS for n in EVENT_KINDS[k].options.model_fields}
    assert set(OPTION_WORDS) <= options
    choices = set()
    for kind in EVENT_WORDS:
        for f in EVENT_KINDS[kind].options.model_fields.values():
            if typing.get_origin(f.annotation) is typing.Literal:
                choices |= {str(c) for c in typing.get_args(f.annotation)}
    assert set(CHOICE_WORDS) <= choices


def test_given_an_applied_slider_then_the_log_says_it_in_words():
    label = ct.set_label("ddr.opportunity", 0.31)
    assert label == "Jobs and income after DDR set to 0.31"
    assert "ddr." not in label and "=" not in label
