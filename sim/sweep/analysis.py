"""Sensitivity analysis of a finished sweep: ``ssr analyze SWEEP_DIR``.

What it writes into the sweep folder, by design:

* every design: ``sensitivity.csv`` (columns output, factor, method, index, value,
  conf) and ``replicate_sd.csv`` (between-replicate standard deviation of each output at
  each design point: how much of the spread is the model's own randomness);
* ``sobol``: first-order (S1) and total (ST) indices with 95% confidence half-widths
  (``SALib.analyze.sobol``), bar plots ``plots/sensitivity_<output>.png``;
* ``morris``: mu*, mu and sigma of the elementary effects (``SALib.analyze.morris``);
* ``lhs``: standardized regression coefficients (with 95% half-widths) and Spearman
  rank correlations (with Fisher-z 95% half-widths);
* ``grid``: the correlation ratio eta^2 = Var(E[Y|X_i]) / Var(Y) of each factor (the
  grid analogue of a first-order index), heat maps ``plots/heatmap_<output>.png`` over
  the first two factors and ``plots/replicate_sd.png``.

Replicates are averaged per design point before Sobol, Morris and regression analysis:
the SALib estimators expect one value per design row, and the mean over replicates is
the quantity a policy question is about (its noise is reported separately).
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

from sim.atomic import atomic_write_bytes  # noqa: E402
from sim.scenario import ScenarioError  # noqa: E402
from sim.sweep.experiment import Experiment  # noqa: E402
from sim.sweep.folder import read_manifest, verify  # noqa: E402

COLUMNS = ["output", "factor", "method", "index", "value", "conf"]


def load_sweep(sweep_dir: Path) -> tuple[Experiment, pd.DataFrame]:
    """The experiment (from the manifest's source file) and summary of a finished sweep.

    Raises:
        ScenarioError: not a sweep folder, or the sweep has no summary yet.
    """
    manifest_path = sweep_dir / "manifest.json"
    if not manifest_path.is_file():
        raise ScenarioError(sweep_dir, "", "not a sweep folder (no manifest.json)")
    manifest = read_manifest(sweep_dir) or {}
    summary_path = sweep_dir / "summary.parquet"
    if not summary_path.is_file():
        raise ScenarioError(
            sweep_dir,
            "summary.parquet",
            "missing: the sweep did not finish; complete it with ssr sweep --resume",
        )
    verify(sweep_dir)  # damaged parts or summary: refused, never analysed
    exp = experiment_from_manifest(manifest, sweep_dir)
    return exp, pd.read_parquet(summary_path)


def experiment_from_manifest(manifest: dict, sweep_dir: Path) -> Experiment:
    """Rebuild the experiment recorded in a manifest (for factor bounds, outputs, design)."""
    from sim.sweep.experiment import Factor, Output

    e = manifest["experiment"]
    kinds = {"float": float, "int": int, "bool": bool, "str": str}
    factors = [
        Factor(
            f["name"],
            levels=tuple(f["levels"]) if f["levels"] is not None else None,
            lo=f["min"],
            hi=f["max"],
            kind=kinds[f["kind"]],
        )
        for f in e["factors"]
    ]
    outputs = [Output(**o) for o in e["outputs"]]
    return Experiment(
        name=e["name"],
        description=e.get("description", ""),
        design=e["design"],
        samples=e["samples"],
        replicates=e["replicates"],
        seed=e["seed"],
        steps=e["steps"],
        keep_timeseries=e["keep_timeseries"],
        morris_levels=e.get("morris_levels", 4),
        factors=factors,
        outputs=outputs,
        scenarios={},
        parameters=e.get("parameters", {}),
    )


def point_means(exp: Experiment, summary: pd.DataFrame) -> pd.DataFrame:
    """One row per design point: the factors and each output's mean over its replicates."""
    names = [o.name for o in exp.outputs]
    factors = [f.name for f in exp.factors]
    first = summary.groupby("point_id", sort=True)[factors].first()
    means = summary.groupby("point_id", sort=True)[names].mean()
    return first.join(means)


def replicate_sd(exp: Experiment, summary: pd.DataFrame) -> pd.DataFrame:
    """Between-replicate SD of each output at each design point (NaN with 1 replicate)."""
    names = [o.name for o in exp.outputs]
    factors = [f.name for f in exp.factors]
    first = summary.groupby("point_id", sort=True)[factors].first()
    sd = summary.groupby("point_id", sort=True)[names].std(ddof=1)
    return first.join(sd.add_suffix("_sd")).reset_index()


def _sobol(exp: Experiment, means: pd.DataFrame) -> list[dict]:
    from SALib.analyze import sobol

    rows = []
    problem = exp.problem()
    for o in exp.outputs:
        y = means[o.name].to_numpy(dtype=float)
        if not np.all(np.isfinite(y)):
            continue  # failed points: indices would be wrong; reported by analyze_sweep
        si = sobol.analyze(
            problem, y, calc_second_order=False, seed=exp.seed + 1, print_to_console=False
        )
        for i, name in enumerate(problem["names"]):
            rows.append([o.name, name, "sobol", "S1", si["S1"][i], si["S1_conf"][i]])
            rows.append([o.name, name, "sobol", "ST", si["ST"][i], si["ST_conf"][i]])
    return rows


def _morris(exp: Experiment, means: pd.DataFrame) -> list[dict]:
    from SALib.analyze import morris

    rows = []
    problem = exp.problem()
    x = exp.sample_matrix()  # the unrounded trajectories (see Experiment.sample_matrix)
    for o in exp.outputs:
        y = means[o.name].to_numpy(dtype=float)
        if not np.all(np.isfinite(y)):
            continue
        si = morris.analyze(
            problem, x, y, num_levels=exp.morris_levels, seed=exp.seed + 1, print_to_console=False
        )
        for i, name in enumerate(problem["names"]):
            rows.append(
                [o.name, name, "morris", "mu_star", si["mu_star"][i], si["mu_star_conf"][i]]
            )
            rows.append([o.name, name, "morris", "mu", si["mu"][i], math.nan])
            rows.append([o.name, name, "morris", "sigma", si["sigma"][i], math.nan])
    return rows


def _lhs(exp: Experiment, means: pd.DataFrame) -> list[dict]:
    rows = []
    names = [f.name for f in exp.factors]
    x = means[names].to_numpy(dtype=float)
    for o in exp.outputs:
        y = means[o.name].to_numpy(dtype=float)
        ok = np.isfinite(y)
        xs, ys = x[ok], y[ok]
        n, k = xs.shape
        if n < k + 3 or ys.std() == 0:
            continue
        zx = (xs - xs.mean(0)) / np.where(xs.std(0) > 0, xs.std(0), 1)
        zy = (ys - ys.mean()) / ys.std()
        design = np.column_stack([np.ones(n), zx])
        beta, *_ = np.linalg.lstsq(design, zy, rcond=None)
        resid = zy - design @ beta
        sigma2 = resid @ resid / (n - k - 1)
        cov = sigma2 * np.linalg.pinv(design.T @ design)
        se = np.sqrt(np.diag(cov))
        r2 = 1 - (resid @ resid) / (zy @ zy)
        for i, name in enumerate(names):
            rows.append([o.name, name, "src", "SRC", beta[i + 1], 1.96 * se[i + 1]])
            rho = stats.spearmanr(xs[:, i], ys).statistic
            half = math.nan
            if n > 3 and abs(rho) < 1:
                z, dz = math.atanh(rho), 1.96 / math.sqrt(n - 3)
                half = (math.tanh(z + dz) - math.tanh(z - dz)) / 2
            rows.append([o.name, name, "spearman", "rho", rho, half])
        rows.append([o.name, "(model)", "src", "R2", r2, math.nan])
    return rows


def _grid(exp: Experiment, means: pd.DataFrame) -> list[dict]:
    rows = []
    for o in exp.outputs:
        y = means[o.name]
        total = y.var(ddof=0)
        for f in exp.factors:
            if not total or not np.isfinite(total):
                eta2 = math.nan
            else:
                eta2 = means.groupby(f.name)[o.name].mean().reindex(means[f.name]).var(ddof=0)
                eta2 = float(eta2 / total)
            rows.append([o.name, f.name, "grid_anova", "eta2", eta2, math.nan])
    return rows


def _bar_plot(table: pd.DataFrame, output: str, path: Path) -> None:
    sub = table[table["output"] == output]
    indices = [i for i in ("S1", "ST", "mu_star", "SRC", "rho", "eta2") if i in set(sub["index"])]
    if not indices:
        return
    factors = list(dict.fromkeys(sub.loc[sub["factor"] != "(model)", "factor"]))
    fig, ax = plt.subplots(figsize=(max(6, 0.9 * len(factors) + 2), 4))
    width = 0.8 / len(indices)
    xs = np.arange(len(factors))
    for j, idx in enumerate(indices):
        s = sub[sub["index"] == idx].set_index("factor").reindex(factors)
        err = s["conf"].to_numpy(dtype=float)
        ax.bar(
            xs + j * width - 0.4 + width / 2,
            s["value"].to_numpy(dtype=float),
            width,
            yerr=np.where(np.isfinite(err), err, 0),
            capsize=3,
            label=idx,
        )
    ax.set_xticks(xs, factors, rotation=30, ha="right", fontsize=8)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_title(f"Sensitivity of {output} ({sub['method'].iloc[0]})")
    ax.legend()
    fig.tight_layout()
    _save(fig, path)


def _save(fig: plt.Figure, path: Path) -> None:
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    atomic_write_bytes(path, buf.getvalue())


def _heatmap(exp: Experiment, means: pd.DataFrame, output: str, path: Path) -> None:
    fx = exp.factors[0].name
    fy = exp.factors[1].name if len(exp.factors) > 1 else None
    if fy is None:
        grid = means.groupby(fx)[output].mean().to_frame().T
        grid.index = [""]
    else:
        grid = means.pivot_table(index=fy, columns=fx, values=output, aggfunc="mean")
    fig, ax = plt.subplots(figsize=(1.2 * grid.shape[1] + 3, 0.8 * grid.shape[0] + 2))
    im = ax.imshow(grid.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(grid.shape[1]), [_label(v) for v in grid.columns], rotation=30)
    ax.set_yticks(range(grid.shape[0]), [_label(v) for v in grid.index])
    ax.set_xlabel(fx)
    ax.set_ylabel(fy or "")
    for (i, j), v in np.ndenumerate(grid.to_numpy(dtype=float)):
        ax.text(j, i, f"{v:.3g}", ha="center", va="center", color="white", fontsize=7)
    fig.colorbar(im, ax=ax, label=output)
    rest = [f.name for f in exp.factors[2:]]
    title = f"{output}: mean over replicates"
    ax.set_title(title + (f" and over {', '.join(rest)}" if rest else ""), fontsize=9)
    fig.tight_layout()
    _save(fig, path)


def _label(v: object) -> str:
    return f"{v:.3g}" if isinstance(v, float) else str(v)


def _replicate_sd_plot(sd: pd.DataFrame, exp: Experiment, path: Path) -> None:
    cols = [f"{o.name}_sd" for o in exp.outputs]
    data = [sd[c].dropna().to_numpy() for c in cols]
    if not any(len(d) for d in data):
        return
    fig, ax = plt.subplots(figsize=(max(6, 0.9 * len(cols) + 2), 4))
    ax.boxplot(data, tick_labels=[o.name for o in exp.outputs])
    ax.set_ylabel("SD between replicates at a design point")
    ax.tick_params(axis="x", rotation=30, labelsize=8)
    ax.set_title("Replicate variability (the model's own randomness)")
    fig.tight_layout()
    _save(fig, path)


def analyze_sweep(sweep_dir: Path) -> list[Path]:
    """Write sensitivity.csv, replicate_sd.csv and plots into a finished sweep's folder.

    Returns:
        The files written.

    Raises:
        ScenarioError: not a finished sweep folder.
    """
    exp, summary = load_sweep(sweep_dir)
    means = point_means(exp, summary)
    rows = {"sobol": _sobol, "morris": _morris, "lhs": _lhs, "grid": _grid}[exp.design](exp, means)
    table = pd.DataFrame(rows, columns=COLUMNS)
    plots = sweep_dir / "plots"
    plots.mkdir(exist_ok=True)
    written = []
    path = sweep_dir / "sensitivity.csv"
    atomic_write_bytes(path, table.to_csv(index=False).encode())
    written.append(path)
    sd = replicate_sd(exp, summary)
    path = sweep_dir / "replicate_sd.csv"
    atomic_write_bytes(path, sd.to_csv(index=False).encode())
    written.append(path)
    for o in exp.outputs:
        if exp.design == "grid":
            p = plots / f"heatmap_{o.name}.png"
            _heatmap(exp, means, o.name, p)
            written.append(p)
        if o.name in set(table["output"]):
            p = plots / f"sensitivity_{o.name}.png"
            _bar_plot(table, o.name, p)
            written.append(p)
    if exp.replicates > 1:
        p = plots / "replicate_sd.png"
        _replicate_sd_plot(sd, exp, p)
        written.append(p)
    skipped = [o.name for o in exp.outputs if o.name not in set(table["output"])]
    if skipped and exp.design != "grid":
        import sys

        print(
            f"warning: no indices for {', '.join(skipped)} (failed runs left design points "
            "without a value, or the output never varied); complete the sweep with --resume",
            file=sys.stderr,
        )
    return written


__all__ = ["COLUMNS", "analyze_sweep", "load_sweep", "point_means", "replicate_sd"]
