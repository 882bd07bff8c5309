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
    # a parameter of the earlier point search says "calibrated", unless the ABC-SMC
    # posterior set it since (then the install labels it by what the record narrows:
    # tests/test_calibrated_params.py)
    for ranges in STAGES.values():
        for name, (lo, hi) in ranges.items():
            s = spec(name)
            assert s.source.startswith("calibrated: ") or "ABC-SMC posterior" in s.source, name
            assert s.lo <= lo < hi <= s.hi, f"{name}: search range outside the schema bounds"


def test_given_the_current_defaults_then_the_calibrated_values_table_is_current():
    block = re.search(r"<!-- calibrated:start -->\n(.*?)<!-- calibrated:end -->", TEXT, re.S)
    assert block and block.group(1) == calibrated_table() + "\n", "run `make validate`"


def test_given_an_unknown_inline_key_then_rendering_leaves_it_untouched():
    text = "a <!-- v:t:no_such_target -->1<!-- /v --> b"
    assert render_inline(text, {}) == text
    assert render_inline(text, {"t:no_such_target": "2"}) == text.replace(">1<", ">2<")


def test_given_a_point_target_when_the_figure_is_within_the_tolerance_factor_then_penalty_is_below_one():
    from sim.validation.targets import Target

    t = Target("x", lambda ts, r: 0.0, "log", 40.0, 1.5, "record", "record")
    assert t.penalty(40.0) == 0.0
    assert t.penalty(59.0) < 1.0 < t.penalty(61.0)
    assert t.penalty(40 / 1.4) < 1.0 < t.penalty(40 / 1.6)


def test_given_one_sided_targets_then_only_the_wrong_side_costs():
    from sim.validation.targets import Target

    hinge_max = Target("x", lambda ts, r: 0.0, "max", 0.3, 0.1, "record", "1")
    hinge_min = Target("x", lambda ts, r: 0.0, "min", 0.0, 0.2, "record", "2")
    band = Target("x", lambda ts, r: 0.0, "band", 0.55, 0.05, "record", "5", hi=0.72)
    assert hinge_max.penalty(0.1) == 0 and hinge_max.penalty(0.4) > 0
    assert hinge_min.penalty(0.5) == 0 and hinge_min.penalty(-0.2) > 0
    assert band.penalty(0.6) == 0 and band.penalty(0.5) > 0 and band.penalty(0.8) > 0
    assert band.penalty(float("nan")) > 0


def test_given_paired_differences_then_the_effect_interval_contains_the_mean():
    from sim.validation.checks import effect

    e = effect("x", [1.0, 2.0, 3.0, 4.0], [2.0, 3.5, 4.0, 5.5])
    assert e.lo < e.mean < e.hi and e.mean == 1.25 and e.excludes_zero
    flat = effect("y", [1.0, 2.0], [1.0, 2.0])
    assert flat.mean == 0 and not flat.excludes_zero


def test_given_the_list_of_misses_then_the_document_shows_it_and_each_test_is_marked():
    import ast

    from sim.validation.blind import MISSES as BLOCK
    from sim.validation.misses import MISSES, markdown

    # the table in the document is the list's own
    found = BLOCK.search(TEXT)
    assert found and found[2] == markdown(), "run `make validate`"
    # every listed test exists and carries the strict expected-failure mark
    for miss in MISSES:
        file, name = miss.test.split("::")
        tree = ast.parse((ROOT / file).read_text(encoding="utf-8"))
        func = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
        assert [ast.unparse(d) for d in func.decorator_list] == ["expected_miss"], miss.test
        assert miss.window in ("calibration", "blind", "both")
