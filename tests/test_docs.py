"""The documentation stays true to the code."""

from dataclasses import fields
from pathlib import Path

from sim.docs import ODD, render
from sim.params import param_specs
from sim.world import ENTITIES

ROOT = Path(__file__).resolve().parents[1]


def test_given_the_schema_when_rendering_odd_then_the_committed_tables_are_current():
    text = ODD.read_text(encoding="utf-8")
    assert render(text) == text, "docs/ODD.md is out of date: run `python -m sim.docs`"


def test_every_parameter_is_documented_in_odd():
    text = ODD.read_text(encoding="utf-8")
    missing = [s.name for s in param_specs() if f"`{s.name}`" not in text]
    assert not missing


def test_readme_starts_with_the_two_commands_and_ci_calls_the_test_command():
    head = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:15]
    assert any("make run" in line for line in head)
    assert any("make test" in line for line in head)
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_state_variable_declares_a_unit_an_index_and_a_meaning():
    missing = [
        f"{cls.__name__}.{f.name}"
        for cls in ENTITIES
        for f in fields(cls)
        if not (f.metadata.get("unit") and len(f.metadata.get("meaning", "")) > 5)
        or "per" not in f.metadata
    ]
    assert not missing
    text = ODD.read_text(encoding="utf-8")
    assert all(f"| `{f.name}` |" in text for cls in ENTITIES for f in fields(cls))
