"""The ``ssr`` command line (also ``python -m sim``).

Exit codes: 0 success; 2 invalid input (the message names the file, the key path and
what is allowed, and nothing is written); 1 anything else.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sim.calibrate.cli import add_parser as add_calibrate  # light
from sim.choices import DEFAULT_PLOTS, EXECUTORS, PLOT_CHOICES, plots_help
from sim.policy.cli import add_parsers as policy_parsers  # light: no heavy import

# Everything heavy (pydantic, numpy, networkx, pandas, matplotlib, Mesa) loads inside the
# handler that needs it, so `ssr --help` and `ssr check` answer quickly
# (tests/test_cli_imports.py keeps it so). A new subcommand: its parser lines in
# build_parser, one branch in _dispatch that imports its module inside the branch.


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _seed(text: str) -> int:
    from sim.errors import field_bounds
    from sim.scenario import ScenarioMeta

    lo, hi = field_bounds(ScenarioMeta, "seed")  # the one home of the seed's bounds
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= {lo}, got {text!r}") from None
    if not lo <= value <= hi:
        raise argparse.ArgumentTypeError(f"must be in [{lo}, {hi}], got {value}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be in [1, 65535], got {value}")
    return value


FORCE_HELP = "allow more workers than cores and more memory than is available"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="ssr", description="Simulation of security sector reform in Mali."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run a scenario's replicates into a run folder")
    run.add_argument("scenario", type=Path, help="scenario TOML file")
    run.add_argument("--replicates", type=_positive_int, help="override the replicate count")
    run.add_argument("--seed", type=_seed, help="override the scenario seed")
    run.add_argument("--steps", type=_positive_int, help="override the number of months")
    run.add_argument("--out", type=Path, help="output folder (default results/runs/<name>/)")
    run.add_argument("--compare", type=Path, help="another scenario to compare against")
    run.add_argument("--workers", type=_positive_int, help="processes (default: all cores)")
    run.add_argument("--force", action="store_true", help=FORCE_HELP)
    run.add_argument("--fixed-params", action="store_true", help="defaults, not the posterior")
    run.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    run.add_argument("--plots", choices=PLOT_CHOICES, default=DEFAULT_PLOTS, help=plots_help())

    plots = sub.add_parser("plots", help="draw a run folder's plots afterwards, rewrite its report")
    plots.add_argument("run_dir", type=Path, help="a run folder (from ssr run)")
    plots.add_argument("--plots", choices=PLOT_CHOICES, default=DEFAULT_PLOTS, help=plots_help())

    check = sub.add_parser("check", help="validate scenario or experiment files")
    check.add_argument("files", type=Path, nargs="+")

    sub.add_parser("scenarios", help="list the scenario library with descriptions")
    params = sub.add_parser("params", help="print the parameter table")
    params.add_argument("--markdown", action="store_true", help="as a Markdown table")

    sweep = sub.add_parser("sweep", help="run a parameter sweep (experiment file)")
    sweep.add_argument("experiment", type=Path)
    sweep.add_argument("--workers", type=_positive_int)
    sweep.add_argument("--executor", choices=EXECUTORS, default="process")
    sweep.add_argument("--scheduler", help="address of an existing Dask scheduler")
    sweep.add_argument("--out", type=Path)
    sweep.add_argument("--resume", action="store_true", help="run only missing and failed runs")
    sweep.add_argument(
        "--allow-code-change",
        action="store_true",
        help="resume although the model code changed since the sweep started (recorded)",
    )
    sweep.add_argument("--force", action="store_true", help=FORCE_HELP)
    sweep.add_argument("--no-progress", action="store_true")

    analyze = sub.add_parser("analyze", help="sensitivity indices and plots of a sweep")
    analyze.add_argument("sweep_dir", type=Path)

    add_calibrate(sub, _positive_int)

    ui = sub.add_parser("ui", help="serve the workshop browser app")
    ui.add_argument("--host", default="127.0.0.1")
    ui.add_argument("--port", type=_port, default=8765)
    policy_parsers(sub, _positive_int, EXECUTORS)  # ssr compare, ssr discover
    return parser


def _cmd_check(args: argparse.Namespace) -> int:
    from sim.errors import InputError
    from sim.scenario import load_scenario, read_toml

    bad = 0
    for f in args.files:
        try:
            data = read_toml(f)
            if "experiment" in data:
                from sim.sweep.experiment import design_warnings
                from sim.sweep.schema import parse_experiment

                for text in design_warnings(parse_experiment(data, f)):
                    print(f"warning: {f}: {text}", file=sys.stderr)
                kind = "experiment"
            elif "compare" in data:
                from sim.policy.compare import parse_compare

                parse_compare(data, f)
                kind = "policies"
            else:
                load_scenario(f)
                kind = "scenario"
            print(f"{f}: ok ({kind})")
        except InputError as err:
            print(f"error: {err}", file=sys.stderr)
            bad += 1
    return 2 if bad else 0


def _cmd_scenarios(_: argparse.Namespace) -> int:
    from sim.errors import InputError
    from sim.scenario import load_scenario, scenario_library

    folder = scenario_library()
    files = sorted(folder.glob("*.toml"))
    if not files:
        print(f"no scenarios found in {folder}", file=sys.stderr)
        return 1
    for f in files:
        try:
            sc = load_scenario(f)
            print(f"{f.name:32s} {sc.start} +{sc.steps} months  {sc.description}")
        except InputError as err:
            print(f"{f.name:32s} INVALID: {err.message}")
    return 0


def _cmd_params(args: argparse.Namespace) -> int:
    from sim.params import param_specs

    specs = list(param_specs())
    if args.markdown:
        print("| name | default | bounds | unit | meaning | source |")
        print("|---|---|---|---|---|---|")
        for s in specs:
            bounds = "true/false" if s.kind is bool else f"[{s.lo}, {s.hi}]"
            print(f"| `{s.name}` | {s.default} | {bounds} | {s.unit} | {s.meaning} | {s.source} |")
        return 0
    width = max(len(s.name) for s in specs)
    for s in specs:
        bounds = "true/false" if s.kind is bool else f"[{s.lo}, {s.hi}]"
        print(f"{s.name:{width}s}  {s.default!s:>10s}  {bounds:18s} {s.unit:28s} {s.meaning}")
    return 0


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "run":
        from sim.run import main as run_main

        return run_main(args)
    if args.command == "plots":
        from sim.run import plots_main

        return plots_main(args)
    if args.command == "check":
        return _cmd_check(args)
    if args.command == "scenarios":
        return _cmd_scenarios(args)
    if args.command == "params":
        return _cmd_params(args)
    if args.command == "sweep":
        from sim.sweep.cli import sweep_main

        return sweep_main(args)
    if args.command == "analyze":
        from sim.sweep.cli import analyze_main

        return analyze_main(args)
    if args.command in ("compare", "discover"):
        from sim.policy import cli as policy_cli

        return getattr(policy_cli, f"{args.command}_main")(args)
    if args.command == "calibrate":
        from sim.calibrate.cli import calibrate_main

        return calibrate_main(args)
    if args.command == "ui":
        from sim.ui.server import main as ui_main

        return ui_main(args)
    raise AssertionError(args.command)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``ssr`` console script."""
    args = build_parser().parse_args(argv)
    args.program = argv is None  # run as the `ssr` program (not called with arguments)
    from sim.errors import InputError
    from sim.lifeline import Terminated, sigterm_as_interrupt

    try:
        with sigterm_as_interrupt():
            return _dispatch(args)
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except Terminated:
        print("terminated", file=sys.stderr)
        return Terminated.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # noqa: BLE001 - last resort: a message, not a traceback
        if os.environ.get("SSR_DEBUG"):
            raise
        print(
            f"error: {type(err).__name__}: {err} (set SSR_DEBUG=1 for a traceback)", file=sys.stderr
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
