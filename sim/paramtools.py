"""Building blocks for the parameter schema.

Every model assumption is declared with :func:`param`: a default, bounds, a unit, a one
line meaning and a source (or the word "assumption"). Mechanism modules declare their
own :class:`ParamGroup` next to the rules that use it; :mod:`sim.params` assembles them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ParamError(ValueError):
    """An invalid parameter name or value.

    Attributes:
        key: dotted parameter name (e.g. ``"ddr.incentive"``).
        message: what is wrong and what is allowed.
    """

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


def param(
    default: float | int | bool,
    lo: float | int | None,
    hi: float | int | None,
    unit: str,
    meaning: str,
    source: str = "assumption",
    *,
    init_only: bool = False,
) -> Any:
    """Declare one model parameter.

    Args:
        default: value used when a scenario does not override it.
        lo: inclusive lower bound (None for booleans).
        hi: inclusive upper bound (None for booleans).
        unit: unit of measure ("share", "per month", "persons", ...).
        meaning: one line saying what the parameter does.
        source: where the value comes from, or "assumption".
        init_only: read only when the model is built (initial conditions, agent counts),
            so a ``set`` event cannot change it during a run.

    Returns:
        A pydantic field carrying the metadata.
    """
    extra = {"unit": unit, "source": source, "lo": lo, "hi": hi, "init_only": init_only}
    if isinstance(default, bool):
        return Field(default, description=meaning, json_schema_extra=extra, strict=True)
    return Field(default, ge=lo, le=hi, description=meaning, json_schema_extra=extra)


class ParamGroup(BaseModel):
    """A group of related parameters (one per mechanism)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, strict=True)
