"""Stepwise's command line: open the window, or run, explain and screenshot scenarios headless.

    python main.py [SCENARIO]                     open the window (on SCENARIO if given)
    python main.py run SCENARIO --steps N [--every K] [--out FILE] [--format json|csv]
    python main.py explain SCENARIO [--observation I] [--format text|markdown|latex] [--digits D]
    python main.py screenshot SCENARIO --steps N --out FILE.png [--workspace NAME] [--plot NAME [--scale S]]
    python main.py animate SCENARIO --steps N [--every K] [--plot NAME] [--fps F] --out FILE.gif|FILE.mp4
    python main.py export SCENARIO --to numpy|pytorch --steps N --out FILE.py   the run as a script
    python main.py presets                        list the built-in scenarios

SCENARIO is a scenario file or a preset's name (``lecture-backprop``), resolved by ``engine/presets.py``.

Exit status 0 on success, 2 on bad input (one line on stderr, no traceback). This module only
parses arguments and reports errors: the traces are built in ``engine/trace.py`` (whose field
names are a contract with scripts outside the project, SPEC section 6), the explanation tables
in ``engine/explain.py``, the screenshot in ``gui/screenshot.py``, the animation in ``gui/animate.py``. Those are imported inside the
subcommands, so ``import main`` stays cheap (no numpy, sympy or Qt).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Sequence

SUBCOMMANDS = ("run", "explain", "screenshot", "animate", "presets", "exercise", "export")
WORKSPACES = ("descent1d", "descent2d", "network")
SCENARIO_HELP = "scenario file (.json) or a preset's name (see `stepwise presets`)"


class UsageError(ValueError):
    """A command-line request that cannot be met (e.g. an observation number out of range)."""


def _input_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that mean "the user's input is bad": reported in one line, exit status 2."""
    from engine.activations import ActivationError
    from engine.data import DataError
    from engine.expressions import FormulaError
    from engine.losses import LossError
    from engine.network import NetworkError
    from engine.optimizers import OptimizerError
    from engine.scenario import ScenarioError
    from engine.training import TrainingError

    return (UsageError, ScenarioError, DataError, FormulaError, OptimizerError, NetworkError, LossError,
            ActivationError, TrainingError, OSError)


# --- argument parsing ---------------------------------------------------------------------------

def _whole(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number >= ``minimum``, with a message that says so."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {minimum}, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {minimum}, got {value}")
        return value
    return parse


def _size(text: str) -> tuple[int, int]:
    """Parse ``WxH`` (e.g. ``1280x800``) for ``screenshot --size``."""
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 1280x800, got {text!r}") from None
    if not (320 <= width <= 7680 and 240 <= height <= 4320):
        raise argparse.ArgumentTypeError(f"{text}: width 320-7680 and height 240-4320 pixels")
    return width, height


def build_parser() -> argparse.ArgumentParser:
    """The parser of the headless subcommands (opening the window is handled before it)."""
    parser = argparse.ArgumentParser(
        prog="stepwise",
        description="Step through neural-network training one iteration at a time. "
                    "Without a command, opens the window (on SCENARIO if given).")
    sub = parser.add_subparsers(dest="command", metavar="{run,explain,screenshot,animate,presets,exercise,export}")

    run = sub.add_parser("run", help="run a scenario and print or write its trace")
    run.add_argument("scenario", help=SCENARIO_HELP)
    run.add_argument("--steps", type=_whole(0), required=True, help="number of updates to take")
    run.add_argument("--every", type=_whole(1), default=1, metavar="K",
                     help="record only every K-th step (and the last)")
    run.add_argument("--out", metavar="FILE", help="write the trace to FILE instead of standard output")
    run.add_argument("--format", choices=("json", "csv"), default="json")

    explain = sub.add_parser("explain", help="print the forward values, residuals, nudge table, "
                                             "gradient and chain-rule factors for lecture notes")
    explain.add_argument("scenario", help=SCENARIO_HELP)
    explain.add_argument("--observation", type=_whole(1), metavar="I",
                         help="explain observation I only (1-based; default: all, up to 10)")
    explain.add_argument("--format", choices=("text", "markdown", "latex"), default="text")
    explain.add_argument("--digits", type=_whole(1), default=4, help="significant figures (default 4)")

    shot = sub.add_parser("screenshot", help="render the window offscreen after N steps to a PNG")
    shot.add_argument("scenario", help=SCENARIO_HELP)
    shot.add_argument("--steps", type=_whole(0), required=True)
    shot.add_argument("--out", required=True, metavar="FILE.png")
    shot.add_argument("--workspace", choices=WORKSPACES, help="which workspace to show "
                                                              "(default: the one for the scenario's kind)")
    shot.add_argument("--phases", type=_whole(0), default=0, metavar="P",
                      help="network: then P single phases (e.g. 5 = observation 1's backward pass done)")
    shot.add_argument("--select", metavar="NAME", help="network: the parameter the explanation panels "
                                                      "explain, in lecture notation, e.g. 'w(1)[1,1]'")
    shot.add_argument("--size", type=_size, default=None, metavar="WxH",
                      help="window size in pixels (default 1600x1000; 1280x800 for a projector)")
    _add_plot_options(shot)
    _add_animate_parser(sub)
    shot.add_argument("--presentation", action="store_true", help="in View > Presentation mode (full screen "
                                                                  "at --size, large text)")

    sub.add_parser("presets", help="list the built-in scenarios (name, kind, title)")

    exercise = sub.add_parser("exercise", help="practice exercises: small networks to work by hand, "
                                               "as a sheet (Markdown, LaTeX) or JSON with the answers")
    exercise.add_argument("--seed", type=_whole(0), required=True, help="the same seed gives the same sheet")
    exercise.add_argument("--count", type=_whole(1), default=1, metavar="K", help="exercises on the sheet")
    exercise.add_argument("--format", choices=("markdown", "latex", "json"), default="markdown")
    exercise.add_argument("--solutions", action="store_true", help="print the answers after the questions")
    exercise.add_argument("--out", metavar="FILE", help="write the sheet to FILE instead of standard output")
    _add_export_parser(sub)
    return parser


PLOT_HELP = ("one plot instead of the window: descent function, derivative, basins, contour, loss; "
             "network network, loss, fit, landscape")


def _scale(text: str) -> float:
    """Parse ``--scale``: 1 to 4 times the plot's size on screen."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number from 1 to 4, got {text!r}") from None
    if not 1 <= value <= 4:
        raise argparse.ArgumentTypeError(f"expected a number from 1 to 4, got {text}")
    return value


def _fps(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected frames a second (0 < F <= 60), got {text!r}") from None
    if not 0 < value <= 60:
        raise argparse.ArgumentTypeError(f"expected frames a second (0 < F <= 60), got {text}")
    return value


def _add_plot_options(shot: argparse.ArgumentParser) -> None:
    shot.add_argument("--plot", metavar="NAME", help=PLOT_HELP + " (then FILE may be .svg)")
    shot.add_argument("--scale", type=_scale, default=1.0, metavar="S",
                      help="with --plot, a PNG S times the plot's size on screen (1 to 4; default 1)")


def _add_animate_parser(sub) -> None:
    anim = sub.add_parser("animate", help="the run as a GIF or MP4 for slides, one frame per recorded step")
    anim.add_argument("scenario", help=SCENARIO_HELP)
    anim.add_argument("--steps", type=_whole(0), required=True, help="number of updates to take")
    anim.add_argument("--every", type=_whole(1), default=1, metavar="K",
                      help="a frame every K-th step (and the last), as `run --every` records")
    anim.add_argument("--out", required=True, metavar="FILE.gif|FILE.mp4",
                      help="GIF (Pillow) or MP4 (needs the mp4 extra: pip install 'stepwise[mp4]')")
    anim.add_argument("--workspace", choices=WORKSPACES, help="which workspace to show "
                                                              "(default: the one for the scenario's kind)")
    anim.add_argument("--plot", metavar="NAME", help=PLOT_HELP)
    anim.add_argument("--size", type=_size, default=None, metavar="WxH",
                      help="window size in pixels (default 1600x1000; 1280x800 for a projector)")
    anim.add_argument("--fps", type=_fps, default=5.0, metavar="F", help="frames a second (default 5)")


# --- run and explain ----------------------------------------------------------------------------

def _emit(text: str, out: str | None) -> None:
    """Write ``text`` to the file ``out``, or to standard output when there is none."""
    if out is None:
        sys.stdout.write(text)
        return
    Path(out).write_text(text, encoding="utf-8")


def cmd_run(args: argparse.Namespace) -> int:
    """Print or write the trace (engine.trace); a CSV trace's status goes to standard error."""
    from engine.scenario import load_scenario
    from engine.trace import format_trace, scenario_trace

    scenario = load_scenario(args.scenario)
    trace = scenario_trace(scenario, args.steps, args.every)
    text = format_trace(trace, scenario.kind, args.format)
    if args.format == "csv" and (trace["status"] != "running" or trace["reason"]):
        print(f"status: {trace['status']}: {trace['reason']}", file=sys.stderr)
    _emit(text, args.out)
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    """Print the explanation tables (engine.explain)."""
    from engine.explain import ObservationError, explain_scenario
    from engine.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    try:
        text = explain_scenario(scenario, args.observation, args.format, args.digits)
    except ObservationError as e:
        raise UsageError(f"--observation {e.observation}: the data have observations 1 to {e.n_obs}") from None
    sys.stdout.write(text)
    return 0


# --- screenshot ---------------------------------------------------------------------------------

def cmd_screenshot(args: argparse.Namespace) -> int:
    """Render the window offscreen after the steps and save it as a PNG (gui.screenshot)."""
    from engine.scenario import load_scenario

    load_scenario(args.scenario)  # report a bad file in one line before starting Qt
    if args.plot is None and Path(args.out).suffix.lower() == ".svg":
        raise UsageError(f"{Path(args.out).name}: the window is written as .png; one plot (--plot NAME) also as .svg")
    from gui.screenshot import ScreenshotError, render_screenshot

    try:
        render_screenshot(args.scenario, args.steps, args.out, args.workspace,
                          phases=args.phases, select=args.select, size=args.size,
                          plot=args.plot, scale=args.scale, presentation=args.presentation)
    except ScreenshotError as e:
        raise UsageError(str(e)) from None
    return 0


def cmd_animate(args: argparse.Namespace) -> int:
    """Write the run as a GIF or MP4, one frame per recorded step (gui.animate)."""
    from engine.scenario import load_scenario

    load_scenario(args.scenario)  # report a bad file in one line before starting Qt
    from gui.common.animation import AnimationError, animation_format
    from gui.screenshot import ScreenshotError

    try:
        animation_format(args.out)  # a bad suffix or a missing mp4 extra, before the window
        from gui.animate import render_animation

        render_animation(args.scenario, args.steps, args.out, every=args.every, workspace=args.workspace,
                         plot=args.plot, size=args.size, fps=args.fps)
    except (AnimationError, ScreenshotError) as e:
        raise UsageError(str(e)) from None
    return 0


# --- presets ------------------------------------------------------------------------------------

def cmd_presets(args: argparse.Namespace) -> int:
    """List the built-in scenarios, whose names work wherever a scenario file is accepted."""
    from engine.presets import table

    sys.stdout.write(table())
    return 0


# --- exercise ----------------------------------------------------------------------------------

def cmd_exercise(args: argparse.Namespace) -> int:
    """Print or write a practice sheet (engine.exercises, engine.exercise_sheets)."""
    from engine.exercise_sheets import render_sheet
    from engine.exercises import MAX_COUNT, make_sheet

    if args.count > MAX_COUNT:
        raise UsageError(f"--count {args.count}: a sheet holds 1 to {MAX_COUNT} exercises")
    _emit(render_sheet(make_sheet(args.seed, args.count), args.format, args.solutions), args.out)
    return 0


# --- export -------------------------------------------------------------------------------------

def _add_export_parser(sub: argparse._SubParsersAction) -> None:
    """``export SCENARIO --to numpy|pytorch --steps N [--every K] --out FILE.py``."""
    export = sub.add_parser("export", help="write the run as a standalone numpy or PyTorch script that "
                                           "prints the same trace as `run --format json`")
    export.add_argument("scenario", help=SCENARIO_HELP)
    export.add_argument("--to", choices=("numpy", "pytorch"), required=True,
                        help="numpy (networks and functions) or pytorch (networks, torch.optim)")
    export.add_argument("--steps", type=_whole(0), required=True, help="number of updates the script takes")
    export.add_argument("--every", type=_whole(1), default=1, metavar="K",
                        help="the script records only every K-th step (and the last), as `run --every K`")
    export.add_argument("--out", required=True, metavar="FILE.py", help="the script to write")


def cmd_export(args: argparse.Namespace) -> int:
    """Write the scenario as a script (engine.code_export); a form that cannot express it is bad input."""
    from engine.code_export import ExportError, export_script
    from engine.presets import is_builtin
    from engine.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    name = Path(args.scenario).stem if is_builtin(args.scenario) else args.scenario
    try:
        text = export_script(scenario, args.to, args.steps, args.every, name=name)
    except ExportError as e:
        raise UsageError(str(e)) from None
    Path(args.out).write_text(text, encoding="utf-8")
    return 0


# --- entry point --------------------------------------------------------------------------------

def _open_gui(argv: list[str]) -> int:
    if len(argv) > 1:
        print(f"stepwise: expected at most one scenario file to open, got {len(argv)} arguments "
              f"(commands: {', '.join(SUBCOMMANDS)})", file=sys.stderr)
        return 2
    if argv:
        from engine.presets import PresetError, resolve

        try:
            argv = [resolve(argv[0])]
        except PresetError as e:
            print(f"stepwise: {_one_line(e)} (commands: {', '.join(SUBCOMMANDS)})", file=sys.stderr)
            return 2
    from gui.app import main as gui_main

    return int(gui_main(argv) or 0)


COMMANDS = {"run": cmd_run, "explain": cmd_explain, "screenshot": cmd_screenshot, "animate": cmd_animate,
            "presets": cmd_presets, "exercise": cmd_exercise, "export": cmd_export}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for ``python main.py`` and the ``stepwise`` script; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in SUBCOMMANDS and not argv[0].startswith("-")):
        return _open_gui(argv)
    args = build_parser().parse_args(argv)
    if args.command is None:
        return _open_gui([])
    errors = _input_errors()
    try:
        if getattr(args, "scenario", None) is not None:
            from engine.presets import resolve

            args.scenario = resolve(args.scenario)
        return COMMANDS[args.command](args)
    except errors as e:
        print(f"stepwise {args.command}: {_one_line(e)}", file=sys.stderr)
        return 2
    except (RecursionError, MemoryError) as e:
        print(f"stepwise {args.command}: the input is too large to work with ({type(e).__name__})", file=sys.stderr)
        return 2
    except Exception as e:  # the last-resort handler: SPEC section 6 promises no traceback, ever
        print(f"stepwise {args.command}: unexpected error ({type(e).__name__}: {_one_line(e)[:80]})",
              file=sys.stderr)
        return 2


def _one_line(e: BaseException) -> str:
    text = str(e) or type(e).__name__
    if isinstance(e, OSError) and e.filename and e.strerror:
        text = f"{e.filename}: {e.strerror}"
    return " ".join(text.split())


if __name__ == "__main__":
    sys.exit(main())
