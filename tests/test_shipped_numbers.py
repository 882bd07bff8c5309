"""Numbers about defaults written in shipped files agree with the parameter schema.

Scenario and experiment comments and the docs say things like ``(0-1, default 0.35)``
next to a parameter, or that an experiment's ranges contain the defaults. Such a number
is typed by hand, so it goes stale when a default changes (recalibration). These tests
read every such phrase and check it against :func:`sim.params.spec`: the schema stays the
one source of truth, and a stale comment fails here instead of misleading a reader.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sim.params import param_specs, spec

ROOT = Path(__file__).resolve().parents[1]

NUMBER = r"-?\d[\d,]*(?:\.\d+)?(?:[eE]-?\d+)?"
DEFAULT_CLAIM = re.compile(
    rf"\bdefaults?\b\s*(?:is|are|of|=|:)?\s*(?P<values>{NUMBER}(?:\s*(?:,|and)\s*{NUMBER})*)"
)
BOUNDS_CLAIM = re.compile(rf"\((?P<lo>{NUMBER})\s*-\s*(?P<hi>{NUMBER}),\s*default\b")
PARAM_NAME = re.compile(r"\b[a-z_]+\.[a-z_]+\b")
CONTAINS_CLAIM = re.compile(r"contain\w*\s+(?:each\s+|the\s+)?(?:parameter's\s+)?defaults?", re.I)
CENTRED_CLAIM = re.compile(r"cent(?:red|ered)\s+on\s+the\s+defaults?", re.I)
EXCLUDES_MARK = "excludes the default"


def shipped_text_files() -> list[Path]:
    """Scenario and experiment files and the user-facing docs."""
    files = [*ROOT.glob("scenarios/*.toml"), *ROOT.glob("experiments/**/*.toml")]
    files += [*ROOT.glob("docs/*.md"), ROOT / "README.md"]
    return sorted(p for p in files if p.is_file())


def experiment_files() -> list[Path]:
    return sorted(p for p in ROOT.glob("experiments/*.toml") if p.is_file())


@dataclass(frozen=True)
class Claim:
    """One hand-written statement about a parameter's default (or bounds)."""

    where: str
    name: str
    written: str
    actual: float

    def holds(self) -> bool:
        return agrees(self.written, self.actual)


def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def agrees(written: str, actual: float) -> bool:
    """A written figure agrees with a value when it is the value rounded as written."""
    value = _number(written)
    exponent = value.as_tuple().exponent
    half_unit = Decimal(10) ** int(exponent) / 2 if isinstance(exponent, int) else Decimal(0)
    return abs(Decimal(str(actual)) - value) <= half_unit


def _names_in(line: str) -> list[str]:
    known = {s.name for s in param_specs()}
    return [n for n in dict.fromkeys(PARAM_NAME.findall(line)) if n in known]


def _values(group: str) -> list[str]:
    return [v for v in re.split(r"\s*(?:,\s*and|,|and)\s*", group.strip()) if v]


def claims_in_line(where: str, line: str) -> list[Claim]:
    """Default and bounds claims of one line, paired with the parameters it names.

    A claim is checked when the line names exactly one parameter (every number refers
    to it) or as many parameters as numbers (paired in order); any other line with a
    default number next to parameter names is reported as ambiguous.
    """
    names = _names_in(line)
    if not names:
        return []
    found: list[Claim] = []
    for match in DEFAULT_CLAIM.finditer(line):
        values = _values(match["values"])
        if len(names) == 1:
            pairs = [(names[0], v) for v in values]
        elif len(names) == len(values):
            pairs = list(zip(names, values, strict=True))
        else:
            raise AssertionError(f"{where}: ambiguous default claim {match[0]!r} for {names}")
        found += [Claim(where, n, v, float(spec(n).default)) for n, v in pairs]
    for match in BOUNDS_CLAIM.finditer(line):
        s = spec(names[0])
        found.append(Claim(where, names[0], match["lo"], float(s.lo)))
        found.append(Claim(where, names[0], match["hi"], float(s.hi)))
    return found


def claims_in(path: Path) -> list[Claim]:
    rel = path.relative_to(ROOT)
    lines = path.read_text(encoding="utf-8").splitlines()
    return [c for i, line in enumerate(lines, 1) for c in claims_in_line(f"{rel}:{i}", line)]


def test_given_a_comment_naming_a_parameter_when_it_states_a_default_then_the_schema_agrees():
    claims = [c for p in shipped_text_files() for c in claims_in(p)]
    stale = [f"{c.where}: {c.name} written {c.written}, schema {c.actual}" for c in claims]
    stale = [s for s, c in zip(stale, claims, strict=True) if not c.holds()]
    assert claims, "no default claims found: the scanner no longer reads the files"
    assert not stale, "stale numbers about defaults:\n" + "\n".join(stale)


def test_given_the_scanner_when_a_comment_is_stale_then_it_is_caught():
    line = '"ddr.processing_rate" = 0.12   # share leaving each month (0-1, default 0.06)'
    claims = claims_in_line("example.toml:1", line)
    assert [c.written for c in claims] == ["0.06", "0", "1"]
    assert not claims[0].holds()
    assert claims[1].holds() and claims[2].holds()


def test_given_a_rounded_figure_when_compared_then_only_its_last_digit_is_tolerated():
    assert agrees("0.64", 0.6413)
    assert agrees("1,800", 1800.0)
    assert not agrees("0.55", 0.64)
    assert not agrees("600", 289.0)


def _factor_comments(text: str) -> dict[str, str]:
    """The trailing comment of each factor line, by parameter name."""
    comments: dict[str, str] = {}
    for line in text.splitlines():
        key = re.match(r'\s*"([a-z_]+\.[a-z_]+)"\s*=', line)
        if key and "#" in line:
            comments[key[1]] = line.split("#", 1)[1]
    return comments


def _ranges(text: str) -> dict[str, tuple[float, float]]:
    factors = tomllib.loads(text).get("factors", {})
    out: dict[str, tuple[float, float]] = {}
    for name, value in factors.items():
        if isinstance(value, dict) and {"min", "max"} <= value.keys():
            out[name] = (float(value["min"]), float(value["max"]))
        elif isinstance(value, list) and value and all(isinstance(v, int | float) for v in value):
            out[name] = (float(min(value)), float(max(value)))
    return out


def _comments(text: str) -> str:
    """The comment parts of a TOML text, one per line (claims may span lines)."""
    return "\n".join(line.split("#", 1)[1] for line in text.splitlines() if "#" in line)


def range_claim_errors(text: str) -> list[str]:
    """What an experiment's comments claim about its ranges and the defaults, if false.

    "contain(s) the defaults" (or "each parameter's default"): every range contains its
    parameter's default, except factors whose own comment says "excludes the default"
    (which must then be true). "centred on the defaults": each midpoint lies within 10%
    of the range's width of the default.
    """
    comments = _comments(text)
    contains, centred = CONTAINS_CLAIM.search(comments), CENTRED_CLAIM.search(comments)
    marks = _factor_comments(text)
    errors = []
    for name, (lo, hi) in _ranges(text).items():
        default = float(spec(name).default)
        excluded = EXCLUDES_MARK in marks.get(name, "")
        if (contains or excluded) and (lo <= default <= hi) == excluded:
            said = "says it excludes" if excluded else "is claimed to contain"
            errors.append(f"{name}: range [{lo:g}, {hi:g}] {said} the default {default:g}")
        if centred and abs((lo + hi) / 2 - default) > 0.1 * (hi - lo):
            errors.append(
                f"{name}: claimed centred, midpoint {(lo + hi) / 2:g}, default {default:g}"
            )
    return errors


def test_given_the_experiments_when_they_describe_their_ranges_then_the_claims_hold():
    texts = {p.name: p.read_text(encoding="utf-8") for p in experiment_files()}
    claiming = [
        n
        for n, t in texts.items()
        if CONTAINS_CLAIM.search(_comments(t)) or CENTRED_CLAIM.search(_comments(t))
    ]
    errors = [f"{n}: {e}" for n, t in texts.items() for e in range_claim_errors(t)]
    assert claiming, "no experiment states how its ranges relate to the defaults"
    assert not errors, "false claims about ranges and defaults:\n" + "\n".join(errors)


EXAMPLE = """
[factors]
# Each range contains the parameter's default, except where its line says otherwise.
"ddr.incentive" = { min = 0.0, max = 0.8 }
"recruitment.recruit_rate" = { min = 0.0001, max = 0.0005 }
"""


def test_given_a_range_that_misses_its_default_when_the_file_claims_containment_then_it_fails():
    errors = range_claim_errors(EXAMPLE)
    assert len(errors) == 1 and errors[0].startswith("recruitment.recruit_rate")


def test_given_a_range_marked_as_excluding_the_default_then_the_mark_must_be_true():
    marked = EXAMPLE.replace("0.0005 }", "0.0005 }  # excludes the default")
    assert range_claim_errors(marked) == []
    wrongly = marked.replace(
        '"ddr.incentive" = { min = 0.0, max = 0.8 }',
        '"ddr.incentive" = { min = 0.0, max = 0.8 }  # excludes the default',
    )
    assert [e.split(":")[0] for e in range_claim_errors(wrongly)] == ["ddr.incentive"]


def test_given_ranges_claimed_centred_when_a_midpoint_is_far_from_the_default_then_it_fails():
    centred = EXAMPLE.replace("contains the parameter's default", "is centred on the defaults")
    assert "ddr.incentive" not in " ".join(range_claim_errors(centred))  # midpoint 0.4 = default
    skewed = centred.replace("min = 0.0, max = 0.8", "min = 0.3, max = 0.9")
    assert any(e.startswith("ddr.incentive: claimed centred") for e in range_claim_errors(skewed))
