"""Events that change the world at a given month.

Each kind has an options schema (pydantic, extra keys forbidden) and a handler. Scenario
files and the UI both go through :func:`make_event`, so a bad option is reported the
same way everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.errors import did_you_mean
from sim.mechanisms import armed_groups, state
from sim.params import INIT_ONLY, Params, validate_value
from sim.paramtools import ParamError
from sim.world import World


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class NoOptions(_Options):
    """No options."""


class CoupOptions(_Options):
    """A military coup: military regime, donor conditionality, legitimacy shock."""


class LaunchDDROptions(_Options):
    """Open DDR; ``scope`` = "all" signatories (while the agreement stands) or "pro_government"."""

    scope: Literal["all", "pro_government"] = "all"


class DonorWithdrawalOptions(_Options):
    """A donor cuts ``share`` of its budget (1 = leaves)."""

    donor: Literal["UN", "EU", "France", "all_conditional"] = "all_conditional"
    share: float = Field(1.0, ge=0, le=1)


class SuspendCSOsOptions(_Options):
    """Activities of CSOs funded by the named ``donors`` are banned."""

    donors: list[Literal["UN", "EU", "France"]] = Field(
        default_factory=lambda: ["UN", "EU", "France"], min_length=1
    )


class RivalryOptions(_Options):
    """The jihadist groups fight each other (``active``) or stop."""

    active: bool = True


class PeacekeepersWithdrawOptions(_Options):
    """Peacekeepers leave over ``months`` months."""

    months: int = Field(6, ge=1, le=60)


class SetOptions(_Options):
    """Set any parameter (dotted name) to a value."""

    parameter: str
    value: float | int | bool


@dataclass(frozen=True)
class EventKind:
    """One kind of event: its options schema, handler and plain-language meaning."""

    name: str
    options: type[_Options]
    handler: Callable[[World, Params, np.random.Generator, Any], None]
    meaning: str


@dataclass(order=True)
class Event:
    """An event scheduled at a model step (1 = the first month simulated)."""

    step: int
    kind: str = field(compare=False)
    options: dict[str, Any] = field(default_factory=dict, compare=False)
    label: str = field(default="", compare=False)


def _terminate(world: World, params: Params, rng: np.random.Generator, _: NoOptions) -> None:
    inst = world.institutions
    if not inst.agreement_active:
        return
    inst.agreement_active = False
    north = world.geo.zone_mask("north")
    inst.legit_shock[north] += params.state.termination_legitimacy_shock
    armed_groups.terminate(world, params.armed, rng)


def _coup(world: World, params: Params, rng: np.random.Generator, _: CoupOptions) -> None:
    state.coup(world, params)


def _suspend_csos(
    world: World, params: Params, rng: np.random.Generator, o: SuspendCSOsOptions
) -> None:
    world.institutions.cso_policy = "suspended"
    s = world.csos
    banned = [i for i, name in enumerate(world.donors.names) if name in o.donors]
    s.active &= ~(s.foreign & np.isin(s.funder, banned))
    s.included &= s.active


def _jihadist_rivalry(
    world: World, params: Params, rng: np.random.Generator, o: RivalryOptions
) -> None:
    world.armed.jihadist_rivalry = o.active


def _include_csos(world: World, params: Params, rng: np.random.Generator, _: NoOptions) -> None:
    world.institutions.cso_policy = "consultative"
    s = world.csos
    s.included[:] = s.active


def _restrict_csos(world: World, params: Params, rng: np.random.Generator, _: NoOptions) -> None:
    world.institutions.cso_policy = "restricted"


def _launch_ddr(
    world: World, params: Params, rng: np.random.Generator, o: LaunchDDROptions
) -> None:
    world.institutions.ddr_active = True
    world.institutions.ddr_scope = o.scope


def _pause_ddr(world: World, params: Params, rng: np.random.Generator, _: NoOptions) -> None:
    world.institutions.ddr_active = False


def _donor_withdrawal(
    world: World, params: Params, rng: np.random.Generator, o: DonorWithdrawalOptions
) -> None:
    d = world.donors
    for i, (name, kind) in enumerate(zip(d.names, d.kinds, strict=True)):
        if name == o.donor or (o.donor == "all_conditional" and kind != "partner"):
            d.cut[i] = 1.0 - (1.0 - d.cut[i]) * (1.0 - o.share)


def _peacekeepers_withdraw(
    world: World, params: Params, rng: np.random.Generator, o: PeacekeepersWithdrawOptions
) -> None:
    world.mission.mandated = False
    world.mission.withdraw_left = o.months


def _partner_arrives(world: World, params: Params, rng: np.random.Generator, _: NoOptions) -> None:
    world.institutions.partner_present = True
    d = world.donors
    d.active |= np.array([kind == "partner" for kind in d.kinds])


def _set(world: World, params: Params, rng: np.random.Generator, o: SetOptions) -> None:
    params.set(o.parameter, o.value)


EVENT_KINDS: dict[str, EventKind] = {
    k.name: k
    for k in (
        EventKind(
            "terminate_agreement",
            NoOptions,
            _terminate,
            "The 2015 agreement ends: DDR closes to signatories, the CMA's commitment "
            "collapses, some fighters defect, legitimacy drops in the north.",
        ),
        EventKind(
            "coup",
            CoupOptions,
            _coup,
            "Military coup: a military regime (less oversight, less CSO space, less will "
            "for reform), conditional donors cut budgets, legitimacy drops in contested regions.",
        ),
        EventKind(
            "suspend_csos",
            SuspendCSOsOptions,
            _suspend_csos,
            "Activities of CSOs funded by the named donors (all by default) are banned; "
            "the rest lose autonomy.",
        ),
        EventKind(
            "jihadist_rivalry",
            RivalryOptions,
            _jihadist_rivalry,
            "JNIM and ISGS fight each other where both are present (active = false ends it).",
        ),
        EventKind(
            "restrict_csos",
            NoOptions,
            _restrict_csos,
            "CSOs may operate but with half their autonomy.",
        ),
        EventKind(
            "include_csos",
            NoOptions,
            _include_csos,
            "Active CSOs join the security consultative committees (oversight).",
        ),
        EventKind(
            "launch_ddr",
            LaunchDDROptions,
            _launch_ddr,
            'DDR opens, to all signatories or (scope = "pro_government") to the '
            "pro-government coalition only.",
        ),
        EventKind("pause_ddr", NoOptions, _pause_ddr, "DDR stops taking and processing people."),
        EventKind(
            "donor_withdrawal",
            DonorWithdrawalOptions,
            _donor_withdrawal,
            "A donor (or all conditional donors) cuts a share of its budget.",
        ),
        EventKind(
            "peacekeepers_withdraw",
            PeacekeepersWithdrawOptions,
            _peacekeepers_withdraw,
            "The peacekeeping mission ends and its troops leave over some months.",
        ),
        EventKind(
            "partner_arrives",
            NoOptions,
            _partner_arrives,
            "A non-conditional security partner brings equipment and combat support.",
        ),
        EventKind("set", SetOptions, _set, "Set any parameter (dotted name) to a new value."),
    )
}


class EventError(ValueError):
    """An invalid event: unknown kind or bad options."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


def make_event(step: int, kind: str, options: dict[str, Any] | None = None) -> Event:
    """Validate and build an event.

    Raises:
        EventError: unknown kind, unknown or invalid option (``key`` names the option).
    """
    options = dict(options or {})
    if kind not in EVENT_KINDS:
        hint = did_you_mean(kind, EVENT_KINDS, cutoff=0.6)
        raise EventError(
            "kind", f"unknown event kind {kind!r}{hint}; allowed: {', '.join(EVENT_KINDS)}"
        )
    schema = EVENT_KINDS[kind].options
    try:
        parsed = schema.model_validate(options)
    except ValidationError as err:
        e = err.errors()[0]
        loc = ".".join(str(x) for x in e["loc"]) or "options"
        allowed = ", ".join(schema.model_fields) or "none"
        msg = e["msg"]
        if e["type"] == "extra_forbidden":
            msg = "unknown option" + did_you_mean(loc, schema.model_fields, cutoff=0.6)
        elif e["type"] != "missing" and "input" in e:
            msg = f"{msg}, got {e['input']!r}"
        raise EventError(loc, f"{msg} (options of {kind!r}: {allowed})") from err
    if kind == "set":
        try:
            validate_value(parsed.parameter, parsed.value)
        except ParamError as err:
            raise EventError(
                "parameter", err.message if err.key == parsed.parameter else str(err)
            ) from err
        if parsed.parameter in INIT_ONLY:
            raise EventError(
                "parameter",
                f"{parsed.parameter!r} is read only when the model is built; "
                "change it under [parameters] instead of with a set event",
            )
    return Event(step=step, kind=kind, options=parsed.model_dump())


def apply_event(world: World, params: Params, rng: np.random.Generator, event: Event) -> None:
    """Carry out one event on a world (``params`` may change: ``set``, ``coup``)."""
    kind = EVENT_KINDS[event.kind]
    kind.handler(world, params, rng, kind.options.model_validate(event.options))


__all__ = ["EVENT_KINDS", "Event", "EventError", "apply_event", "make_event"]
