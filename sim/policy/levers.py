"""Policy levers: the changes a government or donor can make, declared once, with costs.

A lever moves model inputs by an ``amount`` in its own unit, from a start month on:

* a **regional** lever adds to one per-region input of :class:`sim.world.Policy`
  (training money, detection, CSO funding, peacekeepers), which its mechanism adds to the
  matching national input; targeted at ``regions``, only those regions' inputs move::

      training_r[r]     = amount * 1000 / troops(R)          for r in R (else 0)
      oversight_r[r]    = amount * detection_per_musd * n / |R|
      cso_r[r]          = amount / donors.cso_need * n / |R|
      peacekeepers_r[r] = amount / |R|

  (the same money spread over fewer regions is denser there: n regions in all, R the
  targeted ones, all of them by default);
* a **national** lever adds ``amount * per_unit`` to model parameters (clipped to their
  bounds), read from the run's own parameter set (so an ensemble member keeps its values).

Cost per month (USD) = ``amount * cost_per_unit`` summed over a policy's levers, plus the
policy's own ``extra_cost`` (e.g. a programme's overheads). Money levers cost what they
give, by definition; the others carry a source or say "assumption".

A scenario's ``[policy]`` table (or a policy of ``ssr compare``) is::

    [policy]
    from = "2025-01"                                  # optional; default: the first month
    extra_cost = 0                                    # optional, USD per month, >= 0
    hr_training = { amount = 2.0, regions = ["Mopti", "Ségou"] }
    political_will = 0.2                              # shorthand: the amount, nationwide
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from sim.calendar import parse_month, step_of
from sim.errors import InputError, unknown
from sim.geography import load_geography
from sim.params import Params, spec
from sim.paramtools import ParamGroup, param

MUSD = 1_000_000.0
"""USD in one million USD (money levers are in million USD per month)."""

MONEY = "the lever is money: it costs what it gives (1 million USD per million USD)"


class LeverParams(ParamGroup):
    """Effects of levers that the model's own parameters do not fix."""

    detection_per_musd: float = param(
        0.05,
        0,
        1,
        "hazard per month per (million USD per month)",
        "Detection of misconduct added nationwide by one million USD a month for oversight "
        "bodies (inspectorates, military justice, the human-rights commission).",
    )


LEVER_PARAMS = LeverParams()


@dataclass(frozen=True)
class Lever:
    """One lever, declared once.

    Attributes:
        name: key in a ``[policy]`` table.
        meaning: what a government or donor does.
        unit: unit of ``amount``.
        lo, hi: bounds of ``amount``.
        cost_per_unit: USD per month per unit of amount.
        cost_source: title, publisher, date of the cost figure, or "assumption: ...".
        regional: the :class:`sim.world.Policy` field it fills, or "" (a national lever).
        moves: national levers: (parameter, change per unit of amount).
    """

    name: str
    meaning: str
    unit: str
    lo: float
    hi: float
    cost_per_unit: float
    cost_source: str
    regional: str = ""
    moves: tuple[tuple[str, float], ...] = ()

    @property
    def inputs(self) -> list[str]:
        """The model inputs it moves (world.policy fields or parameter names)."""
        return [f"world.policy.{self.regional}"] if self.regional else [m[0] for m in self.moves]


PEACEKEEPER_MONTH_USD = 1_171_000_000 / 12 / (13_289 + 1_920)
"""MINUSMA's annual budget for 2021/22 over twelve months and its authorised strength."""

LEVERS: dict[str, Lever] = {
    lv.name: lv
    for lv in (
        Lever(
            "hr_training",
            "Human-rights and IHL training of the forces (EUTM-style courses, trainers).",
            "million USD per month",
            0,
            20,
            MUSD,
            MONEY + "; scale: EUTM Mali common costs EUR 133.7 million for May 2020 to May 2024"
            " (Council Decision (CFSP) 2020/434, Council of the European Union, 2020-03-23)",
            regional="training_r",
        ),
        Lever(
            "oversight_budget",
            "Money for oversight bodies: inspectorates, military justice, the CNDH.",
            "million USD per month",
            0,
            20,
            MUSD,
            MONEY + "; effect: levers.detection_per_musd (assumption)",
            regional="oversight_r",
        ),
        Lever(
            "cso_grants",
            "Grants to civil society organisations that monitor the forces.",
            "million USD per month",
            0,
            20,
            MUSD,
            MONEY + "; effect through donors.cso_need",
            regional="cso_r",
        ),
        Lever(
            "peacekeepers",
            "A protection force (African Union or ECOWAS mission) after MINUSMA's departure.",
            "persons",
            0,
            20_000,
            PEACEKEEPER_MONTH_USD,
            "MINUSMA's annual budget of USD 1,171 million allocated by the UN General "
            "Assembly for 2021/22, over the 13,289 troops and 1,920 police authorised by "
            "Security Council resolution 2584 ('Vidéo. Mali: nouveau mandat de la Minusma "
            "avec beaucoup plus de troupes', Le360 Afrique, 2021-08-10)",
            regional="peacekeepers_r",
        ),
        Lever(
            "ddr_package",
            "A better DDR package: cash, jobs, training for those who disarm.",
            "index",
            0,
            0.6,
            5.0 * MUSD,
            "assumption: 0.5 million USD a month per 0.1 of package attractiveness",
            moves=(("ddr.incentive", 1.0),),
        ),
        Lever(
            "ddr_places",
            "More cantonment places (sites, staff, food) for those waiting to disarm.",
            "persons per month",
            0,
            5_000,
            1_500.0,
            "assumption: 1,500 USD per person cantoned (camp, upkeep, reinsertion kit)",
            moves=(("ddr.cantonment_capacity", 1.0),),
        ),
        Lever(
            "security_guarantees",
            "Credible protection for those who disarm (escorts, mixed units, monitoring).",
            "index",
            0,
            0.6,
            3.0 * MUSD,
            "assumption: 0.3 million USD a month per 0.1 of credibility",
            moves=(("ddr.security_guarantee", 1.0),),
        ),
        Lever(
            "conditionality",
            "Donors withhold more of their budget after a coup (stricter conditions).",
            "share",
            -0.5,
            0.4,
            0.0,
            "assumption: withholding money costs the donors nothing",
            moves=(
                ("donors.multilateral_conditionality", 1.0),
                ("donors.bilateral_conditionality", 1.0),
            ),
        ),
        Lever(
            "political_will",
            "The government commits to reform (sanctions, promotions on merit).",
            "index",
            0,
            0.6,
            0.0,
            "assumption: a political decision with no budget of its own",
            moves=(("state.political_will", 1.0),),
        ),
        Lever(
            "partner_support",
            "More equipment and combat support from the non-conditional security partner.",
            "million USD per month",
            0,
            20,
            MUSD,
            MONEY + "; scale: about 6 billion CFA francs (10.8 million USD) a month reported "
            "for the Wagner contract (Reuters, 'Deal allowing Russian mercenaries into Mali "
            "is close - sources', 2021-09-13)",
            moves=(("donors.partner_budget", 1.0),),
        ),
        Lever(
            "donor_budget",
            "Each multilateral donor gives more for SSR (training, equipment, DDR, CSOs, reform).",
            "million USD per month",
            0,
            20,
            MUSD,
            MONEY,
            moves=(("donors.multilateral_budget", 1.0),),
        ),
    )
}


@dataclass(frozen=True)
class Setting:
    """One lever of a policy: its amount and target regions (None: nationwide)."""

    lever: str
    amount: float
    regions: tuple[str, ...] | None = None

    def cost(self) -> float:
        """USD per month."""
        return self.amount * LEVERS[self.lever].cost_per_unit


@dataclass(frozen=True)
class PolicySpec:
    """A validated ``[policy]``: levers from a start month (``None``: the first month)."""

    settings: tuple[Setting, ...] = ()
    start: str | None = None
    extra_cost: float = 0.0
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    def cost_per_month(self) -> float:
        """USD per month: every lever's cost plus the extra cost."""
        return float(sum(s.cost() for s in self.settings) + self.extra_cost)

    def start_step(self, run_start: str) -> int:
        """The first month (step, from 1) the levers act."""
        return 1 if self.start is None else max(1, step_of(self.start, run_start))


_META_KEYS = ("from", "extra_cost")


def _plain(name: str) -> str:
    """A region name without accents or case ("Segou" finds "Ségou")."""
    return "".join(
        c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)
    ).casefold()


def parse_region(name: Any, src: Any, key: str) -> str:
    """The model's region name for ``name`` (accents and case optional)."""
    names = load_geography().names
    if isinstance(name, str):
        for n in names:
            if _plain(n) == _plain(name):
                return n
    raise InputError(src, key, unknown(str(name), names, "region"))


def _number(value: Any, src: Any, key: str, lo: float, hi: float, unit: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(src, key, f"must be a number in [{lo:g}, {hi:g}] {unit}, got {value!r}")
    if not lo <= value <= hi:
        raise InputError(src, key, f"must be in [{lo:g}, {hi:g}] {unit}, got {value!r}")
    return float(value)


def _setting(name: str, value: Any, src: Any, key: str) -> Setting:
    if name not in LEVERS:
        allowed = [*LEVERS, *_META_KEYS]
        raise InputError(src, key, unknown(name, allowed, "lever (see docs/policy.md)"))
    lv = LEVERS[name]
    table = value if isinstance(value, dict) else {"amount": value}
    for k in table:
        if k not in ("amount", "regions"):
            raise InputError(src, f"{key}.{k}", unknown(k, ("amount", "regions"), "lever key"))
    if "amount" not in table:
        raise InputError(src, f"{key}.amount", "required key is missing")
    amount = _number(table["amount"], src, f"{key}.amount", lv.lo, lv.hi, lv.unit)
    regions = table.get("regions")
    if regions is None:
        return Setting(name, amount)
    if not lv.regional:
        raise InputError(
            src,
            f"{key}.regions",
            f"lever {name!r} acts nationally; regional levers: "
            + ", ".join(n for n, v in LEVERS.items() if v.regional),
        )
    if not isinstance(regions, list) or not regions:
        raise InputError(src, f"{key}.regions", "must be a non-empty list of region names")
    found = [parse_region(r, src, f"{key}.regions[{i}]") for i, r in enumerate(regions)]
    return Setting(name, amount, tuple(dict.fromkeys(found)))


def parse_policy(table: Any, src: Any, key: str = "policy") -> PolicySpec:
    """Validate a ``[policy]`` table.

    Raises:
        InputError: naming ``src`` and the key (unknown lever or region, amount out of
            bounds, negative extra cost, malformed start month).
    """
    if not isinstance(table, dict):
        raise InputError(src, key, "must be a table of lever = amount or {amount, regions}")
    start = table.get("from")
    if start is not None:
        try:
            parse_month(start)
        except (ValueError, TypeError, AttributeError):
            raise InputError(
                src, f"{key}.from", f'must be a month "YYYY-MM", got {start!r}'
            ) from None
    extra = table.get("extra_cost", 0.0)
    extra = _number(extra, src, f"{key}.extra_cost", 0, 1e12, "USD per month")
    settings = tuple(
        _setting(name, value, src, f"{key}.{name}")
        for name, value in table.items()
        if name not in _META_KEYS
    )
    return PolicySpec(settings, start, extra, dict(table))


class _Model(Protocol):
    """What applying a policy needs of a model (no model import: layer 4)."""

    world: Any
    p: Params


def regional_inputs(policy: PolicySpec, world: Any, params: Params) -> dict[str, np.ndarray]:
    """The per-region inputs of a policy (the :class:`sim.world.Policy` fields it adds to)."""
    geo = world.geo
    out = {lv.regional: np.zeros(geo.n) for lv in LEVERS.values() if lv.regional}
    for s in policy.settings:
        lv = LEVERS[s.lever]
        if not lv.regional:
            continue
        names = s.regions or geo.names
        mask = np.isin(np.array(geo.names), names)
        k = int(mask.sum())
        if lv.regional == "training_r":
            troops = np.bincount(world.forces.region, world.forces.size, minlength=geo.n)
            value = s.amount * 1000.0 / max(float(troops[mask].sum()), 1.0)
        elif lv.regional == "oversight_r":
            value = s.amount * LEVER_PARAMS.detection_per_musd * geo.n / k
        elif lv.regional == "cso_r":
            value = s.amount / params.donors.cso_need * geo.n / k
        else:  # peacekeepers_r
            value = s.amount / k
        out[lv.regional] = out[lv.regional] + np.where(mask, value, 0.0)
    return out


def apply_policy(model: _Model, policy: PolicySpec) -> None:
    """Set the policy's regional inputs and move its parameters (now, in ``model``)."""
    for name, values in regional_inputs(policy, model.world, model.p).items():
        setattr(model.world.policy, name, values)
    for s in policy.settings:
        for pname, per_unit in LEVERS[s.lever].moves:
            lo, hi = spec(pname).lo, spec(pname).hi
            value = float(model.p.get(pname)) + s.amount * per_unit
            model.p.set(pname, min(max(value, lo), hi))


def run_with_policy(model: Any, policy: PolicySpec | None, start: str, steps: int) -> None:
    """Run ``steps`` months, applying the policy before its first month's events."""
    if policy is None or not policy.settings:
        model.run(steps)
        return
    first = min(policy.start_step(start), steps + 1)
    model.run(first - 1)
    apply_policy(model, policy)
    model.run(steps - first + 1)


def lever_table() -> str:
    """The Markdown table of every lever (docs/policy.md carries it; a test compares)."""
    rows = [
        "| lever | what it does | amount (unit, bounds) | moves | USD per month per unit "
        "| cost source |",
        "|---|---|---|---|---|---|",
    ]
    for lv in LEVERS.values():
        where = " (regions)" if lv.regional else " (national)"
        rows.append(
            f"| `{lv.name}` | {lv.meaning} | {lv.unit}, [{lv.lo:g}, {lv.hi:g}] "
            f"| {', '.join(f'`{i}`' for i in lv.inputs)}{where} | {lv.cost_per_unit:,.0f} "
            f"| {lv.cost_source} |"
        )
    return "\n".join(rows) + "\n"


__all__ = [
    "LEVERS",
    "LEVER_PARAMS",
    "Lever",
    "LeverParams",
    "PolicySpec",
    "Setting",
    "apply_policy",
    "lever_table",
    "parse_policy",
    "parse_region",
    "regional_inputs",
    "run_with_policy",
]
