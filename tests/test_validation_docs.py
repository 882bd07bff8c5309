"""The validation document covers every fact, mechanism and test, and stays in sync."""

import re
from pathlib import Path

from sim.params import spec
from sim.validation.calibrate import STAGES
from sim.validation.checks import MECHANISMS
from sim.validation.report import VALIDATION_MD, calibrated_table, render_inline
from sim.validation.targets import TARGETS

ROOT = Path(__file__).resolve().parents[1]
TEXT = VALIDATION_MD.read_text(encoding="utf-8")


def test_given_the_nine_facts_then_each_has_its_own_section():
    for n in range(1, 10):
        assert re.search(rf"^### Fact {n}\. ", TEXT, re.M), f"fact {n} missing"


def test_given_the_validation_tests_then_each_is_named_in_the_document():
    tests = (ROOT / "tests" / "test_validation.py").read_text(encoding="utf-8")
    names = re.findall(r"^def (test_\w+)", tests, re.M)
    assert len(names) >= 9
    missing = [n for n in names if n not in TEXT]
    assert not missing


def test_given_the_checks_and_targets_then_each_is_documented():
    for name in MECHANISMS:
        assert f"checks.{name}`" in TEXT, name
    for t in TARGETS:
        assert f"`{t.name}`" in TEXT, t.name


def test_given_a_calibrated_parameter_then_its_source_says_calibrated():
    for ranges in STAGES.values():
        for name, (lo, hi) in ranges.items():
            s = spec(name)
            assert s.source.startswith("calibrated: "), name
            assert s.lo <= lo < hi <= s.hi, f"{name}: search range outside the schema bounds"


def test_given_the_current_defaults_then_the_calibrated_values_table_is_current():
    block = re.search(r"<!-- calibrated:start -->\n(.*?)<!-- calibrated:end -->", TEXT, re.S)
    assert block and block.group(1) == calibrated_table() + "\n", "run `make validate`"


def test_given_an_unknown_inline_key_then_rendering_leaves_it_untouched():
    text = "a <!-- v:t:no_such_target -->1<!-- /v --> b"
    assert render_inline(text, {}) == text
    assert render_inline(text, {"t:no_such_target": "2"}) == text.replace(">1<", ">2<")
