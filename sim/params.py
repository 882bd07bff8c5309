"""The parameter schema: every model assumption in one typed, validated tree.

Groups are declared in the mechanism modules next to the rules that use them; this
module assembles them and offers dotted access (``"ddr.incentive"``), overrides with
precise errors, and the parameter table used by ``ssr params`` and ``docs/ODD.md``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.errors import did_you_mean
from sim.mechanisms.armed_groups import ArmedGroupParams
from sim.mechanisms.corruption import CorruptionParams
from sim.mechanisms.cso import CSOParams
from sim.mechanisms.ddr import DDRParams
from sim.mechanisms.displacement import DisplacementParams
from sim.mechanisms.donors import DonorParams
from sim.mechanisms.forces import ForceParams
from sim.mechanisms.militias import MilitiaParams
from sim.mechanisms.oversight import OversightParams
from sim.mechanisms.recruitment import RecruitmentParams
from sim.mechanisms.state import StateParams
from sim.mechanisms.trust import TrustParams
from sim.mechanisms.violence import ViolenceParams
from sim.paramtools import ParamError, ParamGroup, param


class CommunityParams(ParamGroup):
    """Population of community agents."""

    count: int = param(
        2000,
        11,
        1_000_000,
        "agents",
        "Community agents, spread over regions in proportion to population (at least one each).",
        init_only=True,
    )
    hardship_sd: float = param(
        0.1,
        0,
        0.5,
        "index",
        "Spread of hardship around the region's value.",
        "assumption",
        init_only=True,
    )


class Params(BaseModel):
    """All model parameters, by mechanism."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    community: CommunityParams = Field(default_factory=CommunityParams)
    state: StateParams = Field(default_factory=StateParams)
    trust: TrustParams = Field(default_factory=TrustParams)
    recruitment: RecruitmentParams = Field(default_factory=RecruitmentParams)
    violence: ViolenceParams = Field(default_factory=ViolenceParams)
    forces: ForceParams = Field(default_factory=ForceParams)
    corruption: CorruptionParams = Field(default_factory=CorruptionParams)
    oversight: OversightParams = Field(default_factory=OversightParams)
    ddr: DDRParams = Field(default_factory=DDRParams)
    armed: ArmedGroupParams = Field(default_factory=ArmedGroupParams)
    cso: CSOParams = Field(default_factory=CSOParams)
    donors: DonorParams = Field(default_factory=DonorParams)
    militias: MilitiaParams = Field(default_factory=MilitiaParams)
    displacement: DisplacementParams = Field(default_factory=DisplacementParams)

    def get(self, name: str) -> Any:
        """Value of a dotted parameter name."""
        group, key = _split(name)
        return getattr(getattr(self, group), key)

    def set(self, name: str, value: Any) -> None:
        """Set a dotted parameter, validating type and bounds.

        Raises:
            ParamError: unknown name or invalid value.
        """
        group, key = _split(name)
        try:
            setattr(getattr(self, group), key, value)
        except ValidationError as err:
            raise ParamError(name, _describe(name, value)) from err

    def with_overrides(self, overrides: Mapping[str, Any]) -> Params:
        """A validated copy with dotted overrides applied."""
        new = self.model_copy(deep=True)
        for name, value in overrides.items():
            new.set(name, value)
        return new

    def flat(self) -> dict[str, Any]:
        """All parameters as ``{dotted name: value}``."""
        return {spec.name: self.get(spec.name) for spec in param_specs()}


@dataclass(frozen=True)
class ParamSpec:
    """Documentation of one parameter."""

    name: str
    default: Any
    lo: float | None
    hi: float | None
    unit: str
    meaning: str
    source: str
    kind: type
    init_only: bool = False


def param_specs() -> Iterator[ParamSpec]:
    """Every parameter with its metadata, in schema order."""
    for group, gfield in Params.model_fields.items():
        gcls = gfield.default_factory  # type: ignore[assignment]
        for key, f in gcls.model_fields.items():  # type: ignore[union-attr]
            extra = f.json_schema_extra or {}
            yield ParamSpec(
                name=f"{group}.{key}",
                default=f.default,
                lo=extra.get("lo"),
                hi=extra.get("hi"),
                unit=str(extra.get("unit", "")),
                meaning=f.description or "",
                source=str(extra.get("source", "assumption")),
                kind=f.annotation,  # type: ignore[arg-type]
                init_only=bool(extra.get("init_only", False)),
            )


INIT_ONLY: frozenset[str] = frozenset(s.name for s in param_specs() if s.init_only)
"""Parameters read only when the model is built (``param(..., init_only=True)``): a ``set``
event cannot change them."""


_SPECS: dict[str, ParamSpec] = {}


def spec(name: str) -> ParamSpec:
    """Metadata of one dotted parameter (raises ParamError with a suggestion if unknown)."""
    if not _SPECS:
        _SPECS.update({s.name: s for s in param_specs()})
    if name not in _SPECS:
        hint = did_you_mean(name, _SPECS, cutoff=0.6)
        raise ParamError(name, f"unknown parameter {name!r}{hint} (see `ssr params` for the list)")
    return _SPECS[name]


def _split(name: str) -> tuple[str, str]:
    spec(name)
    group, key = name.split(".", 1)
    return group, key


def _describe(name: str, value: Any) -> str:
    s = spec(name)
    if s.kind is bool:
        return f"must be true or false, got {value!r}"
    kind = "an integer" if s.kind is int else "a number"
    return f"must be {kind} in [{s.lo}, {s.hi}] ({s.unit}), got {value!r}"


def validate_value(name: str, value: Any) -> Any:
    """Check one dotted parameter value without building a model; return the coerced value."""
    p = Params()
    p.set(name, value)
    return p.get(name)


__all__ = [
    "INIT_ONLY",
    "ParamError",
    "ParamSpec",
    "Params",
    "param_specs",
    "spec",
    "validate_value",
]
