"""The parameter schema: documented, bounded, and strict about bad input."""

from __future__ import annotations

import pytest

from sim import Params, SSRModel
from sim.params import ParamError, param_specs, spec, validate_value

SPECS = list(param_specs())
NUMERIC = [s for s in SPECS if s.kind is not bool]


def test_every_parameter_has_a_unit_a_meaning_a_source_and_a_default_inside_its_bounds():
    assert len(SPECS) > 50
    problems = []
    for s in SPECS:
        if not s.unit.strip():
            problems.append(f"{s.name}: no unit")
        if len(s.meaning.strip()) < 10:
            problems.append(f"{s.name}: no meaning")
        if not s.source.strip():
            problems.append(f"{s.name}: no source (or 'assumption')")
        if s.kind is bool:
            if not isinstance(s.default, bool) or s.lo is not None or s.hi is not None:
                problems.append(f"{s.name}: a flag has bounds or a non-boolean default")
        elif s.lo is None or s.hi is None or not s.lo <= s.default <= s.hi:
            problems.append(f"{s.name}: default {s.default} not in [{s.lo}, {s.hi}]")
        elif s.kind is int and not isinstance(s.default, int):
            problems.append(f"{s.name}: integer parameter with default {s.default!r}")
    assert not problems


def test_every_parameter_name_is_a_dotted_group_and_key_that_round_trips():
    params = Params()
    flat = params.flat()
    assert list(flat) == [s.name for s in SPECS]
    for s in SPECS:
        group, _, key = s.name.partition(".")
        assert group and key
        assert params.get(s.name) == s.default
        assert spec(s.name) == s


@pytest.mark.parametrize("s", NUMERIC, ids=lambda s: s.name)
def test_given_a_value_outside_the_bounds_when_setting_then_the_error_names_parameter_and_bounds(
    s,
):
    params = Params()
    too_high = s.hi + 1
    with pytest.raises(ParamError) as err:
        params.set(s.name, too_high)
    assert err.value.key == s.name
    assert f"[{s.lo}, {s.hi}]" in err.value.message
    assert s.name in str(err.value)
    with pytest.raises(ParamError):
        params.set(s.name, s.lo - 1)
    # the failed assignment left the value untouched
    assert params.get(s.name) == s.default


@pytest.mark.parametrize("s", NUMERIC, ids=lambda s: s.name)
def test_given_the_bounds_themselves_when_setting_then_they_are_accepted(s):
    params = Params()
    for value in (s.lo, s.hi):
        params.set(s.name, s.kind(value))
        assert params.get(s.name) == value


def test_given_a_string_for_a_number_when_setting_then_it_is_rejected():
    params = Params()
    for name in ("ddr.incentive", "community.count", "violence.abuse_rate"):
        with pytest.raises(ParamError) as err:
            params.set(name, "0.5")
        assert err.value.key == name
        assert "'0.5'" in err.value.message


def test_given_a_non_integer_for_an_integer_parameter_when_setting_then_it_is_rejected():
    with pytest.raises(ParamError) as err:
        Params().set("community.count", 300.5)
    assert "an integer" in err.value.message


def test_given_a_number_for_a_flag_when_setting_then_it_is_rejected():
    with pytest.raises(ParamError) as err:
        Params().set("ddr.active_at_start", 1)
    assert "true or false" in err.value.message
    params = Params()
    params.set("ddr.active_at_start", True)
    assert params.get("ddr.active_at_start") is True


def test_given_an_unknown_name_when_setting_then_a_close_name_is_suggested():
    with pytest.raises(ParamError) as err:
        Params().set("ddr.incentiv", 0.5)
    assert err.value.key == "ddr.incentiv"
    assert "did you mean 'ddr.incentive'" in err.value.message
    with pytest.raises(ParamError) as err:
        Params().get("violense.abuse_rate")
    assert "did you mean 'violence.abuse_rate'" in err.value.message
    with pytest.raises(ParamError) as err:
        spec("zzz")
    assert "unknown parameter" in err.value.message


def test_given_overrides_when_copying_then_the_original_is_untouched():
    base = Params()
    new = base.with_overrides({"ddr.incentive": 0.9, "community.count": 500})
    assert new.get("ddr.incentive") == 0.9
    assert new.get("community.count") == 500
    assert base.get("ddr.incentive") == spec("ddr.incentive").default


def test_given_an_invalid_override_when_building_a_model_then_it_is_refused():
    with pytest.raises(ParamError) as err:
        SSRModel(rng=1, overrides={"community.count": 5})
    assert err.value.key == "community.count"
    assert "[11, 1000000]" in err.value.message


def test_given_a_value_when_validating_alone_then_it_is_coerced_or_refused():
    assert validate_value("violence.abuse_rate", 3) == 3
    with pytest.raises(ParamError):
        validate_value("violence.abuse_rate", -1)


def test_given_a_model_when_it_runs_then_it_works_on_its_own_copy_of_the_parameters():
    params = Params()
    model = SSRModel(params, rng=1, overrides={"community.count": 200})
    model.inject("set", {"parameter": "state.political_will", "value": 0.1})
    model.step()
    assert model.p.get("state.political_will") == 0.1
    assert params.get("state.political_will") != 0.1


def _other_value(s) -> bool | int | float:
    """A valid value different from the default (the upper or lower bound)."""
    if s.kind is bool:
        return not s.default
    return s.lo if s.default == s.hi else s.hi


def test_given_set_up_parameters_changed_after_building_when_running_then_nothing_changes():
    # given two identical small models, and in one every init-only parameter moved after
    # the world was built
    overrides = {"community.count": 300}
    plain = SSRModel(rng=5, overrides=overrides)
    moved = SSRModel(rng=5, overrides=overrides)
    flagged = [s for s in SPECS if s.init_only]
    assert flagged
    for s in flagged:
        moved.p.set(s.name, _other_value(s))
    # when both run
    plain.run(6)
    moved.run(6)
    # then the results are identical: the flag says truly that only the set-up reads them
    assert plain.indicator_frame().equals(moved.indicator_frame())


def test_init_only_is_exactly_the_parameters_flagged_in_the_schema():
    from sim.params import INIT_ONLY

    assert {s.name for s in SPECS if s.init_only} == INIT_ONLY
    assert "community.count" in INIT_ONLY and "ddr.incentive" not in INIT_ONLY
