"""Parts of the participant's page: settings panel, event buttons and the event log.

Each part is a small Solara component that reads the shared :class:`~sim.ui.view.View`
and re-renders only when what it shows changes.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import solara

from sim.params import INIT_ONLY
from sim.ui import controls as ct
from sim.ui.controls import seed_bounds
from sim.ui.library import scenario_title
from sim.ui.live import COMPARISONS

if TYPE_CHECKING:
    from sim.ui.view import View


def _html(text: str, cls: str, tag: str = "div") -> None:
    solara.HTML(tag=tag, unsafe_innerHTML=text, classes=[cls])


@solara.component
def SettingsPanel(view: View, max_speed: int) -> None:
    """Scenario, seed, comparison, speed and the sliders, with Apply now and the restarts."""
    view.controls.value  # noqa: B018 - subscribe: redraw when settings change
    s = view.session
    titles = {name: f"{scenario_title(sc)}" for name, sc in s.scenarios.items()}
    by_title = {t: n for n, t in titles.items()}
    solara.Select(
        label="Scenario",
        values=list(by_title),
        value=titles[s.scenario_name],
        on_value=lambda t: _restart(view, lambda: s.select_scenario(by_title[t])),
    )
    _html(html.escape(s.scenario.description), "ssr-scenario-help")
    SeedField(view)
    solara.Select(
        label="Dashed lines show",
        values=list(COMPARISONS.values()),
        value=COMPARISONS[view.compare.value],
        on_value=lambda v: view.compare.set(next(k for k, t in COMPARISONS.items() if t == v)),
    )
    solara.SliderInt("Play speed (months per second)", value=view.speed, min=1, max=max_speed)
    with solara.Row(style="gap: 6px; flex-wrap: wrap; margin: 4px 0 8px 0"):
        solara.Button(
            "Apply now",
            on_click=lambda: _apply(view),
            disabled=not s.can_apply(),
            color="primary",
            small=True,
        )
        solara.Button(
            "Restart run", on_click=lambda: _restart(view, s.reset), small=True, outlined=True
        )
        solara.Button(
            "Restore defaults",
            on_click=lambda: _restart(view, s.restore_defaults),
            small=True,
            outlined=True,
        )
    _html(
        "<b>Apply now</b> uses moved sliders from next month without restarting. "
        "<b>Restart run</b> starts again from the first month with the sliders and seed. "
        "<b>Restore defaults</b> puts the scenario's values back and restarts.",
        "ssr-muted",
    )
    PendingNotice(view)
    for theme, names in ct.THEMES.items():
        with solara.Card(margin=0, classes=["mb-2"]):
            _html(html.escape(theme), "ssr-card-title")
            for name in names:
                ParameterSlider(view, name)


def _restart(view: View, action) -> None:
    view.playing.value = False
    view.notice.value = ""
    view.guard(action, settings=True)


def _apply(view: View) -> None:
    result = view.guard(view.session.apply_now, settings=True)
    view.notice.value = result.message if result is not None else ""


@solara.component
def SeedField(view: View) -> None:
    """The seed as typed text: junk gets a message instead of silently running another seed."""
    s = view.session
    error = solara.use_reactive("")
    lo, hi = seed_bounds()

    def on_text(text: str | None) -> None:
        try:
            s.set_seed(text if text is not None else "")
            error.value = ""
        except ValueError as err:
            error.value = str(err)
        view.controls.value += 1

    solara.InputText(
        "Seed (a whole number: same seed, same run)",
        value=str(s.seed),
        on_value=on_text,
        continuous_update=False,
        error=error.value or False,
        message=f"{lo} to {hi:,}; press Restart run to use a new seed",
    )


@solara.component
def PendingNotice(view: View) -> None:
    """What the moved sliders or seed wait for."""
    view.controls.value  # noqa: B018 - subscribe
    s = view.session
    if not s.pending:
        return
    parts = []
    if s.can_apply():
        parts.append("Sliders moved: press Apply now to use them from next month, or Restart run.")
    later = [ct.slider(n).label for n in s.needs_reset()]
    if later:
        parts.append(f"{', '.join(later)}: describes the start; needs Restart run.")
    if s.seed != s.model_seed:
        parts.append("Seed changed: press Restart run to use it.")
    if parts:
        solara.Warning(" ".join(parts))


@solara.component
def ParameterSlider(view: View, name: str) -> None:
    """One slider: plain label, value with unit, and help in words."""
    view.controls.value  # noqa: B018 - subscribe: e.g. "Restore defaults" moves it
    s = view.session
    sl = ct.slider(name)
    value = s.settings[name]

    def set_value(v: float) -> None:
        # a slider snaps a value off its step grid (e.g. 289 with step 30) and reports it:
        # that is not a move by the participant
        if abs(float(v) - float(s.settings[name])) < sl.step / 2:
            return
        view.guard(lambda: s.set_param(name, v), settings=True)

    shown = ct.num(value) if sl.is_int else f"{value:.3g}"
    tag = '<span class="ssr-tag">start only: needs Restart run</span>' if name in INIT_ONLY else ""
    _html(f"{html.escape(sl.label)}: <b>{shown}</b>{tag}", "ssr-slider-label")
    _slider(sl.label, value, sl.lo, sl.hi, sl.step, sl.is_int, set_value)
    _html(html.escape(sl.help), "ssr-help")


def _slider(label: str, value, lo, hi, step, is_int: bool, on_value, **extra: Any) -> None:
    """A slider whose accessible name is ``label`` (the visible label is drawn above it)."""
    with solara.Div(classes=["ssr-quiet"]):
        if is_int:
            solara.SliderInt(
                label, value=int(value), min=int(lo), max=int(hi), step=int(step), on_value=on_value
            )
        else:
            solara.SliderFloat(
                label, value=float(value), min=lo, max=hi, step=step, on_value=on_value, **extra
            )


@solara.component
def EventBar(view: View) -> None:
    """The "make it happen" buttons, each with its options and a tappable explanation."""
    view.run.value  # noqa: B018 - subscribe: buttons show what waits for next month
    s = view.session
    waiting = {e.kind for e in s.queued()}
    _html("Make it happen from next month:", "ssr-muted")
    with solara.Div(classes=["ssr-events"]):
        for kind in ct.EVENT_BUTTONS:
            EventButton(view, kind, kind in waiting, s.finished)


@solara.component
def EventButton(view: View, kind: str, waiting: bool, finished: bool) -> None:
    """One event button: options next to it, "?" shows what it does (works on touch screens)."""
    s = view.session
    explain = solara.use_reactive(False)
    label = ct.EVENT_BUTTONS[kind]
    with solara.Div(classes=["ssr-event"]):
        solara.Button(
            label + (" (next month)" if waiting else ""),
            on_click=lambda: view.guard(lambda: s.inject(kind)),
            disabled=finished or waiting,
            outlined=True,
            small=True,
            color="error" if kind in {"terminate_agreement", "coup"} else None,
        )
        solara.Button(
            "?",
            on_click=lambda: explain.set(not explain.value),
            small=True,
            text=True,
            attributes={"aria-label": f"What does {label} do?"},
        )
        for opt in ct.event_options(kind):
            EventOptionControl(view, opt)
        if explain.value:
            _html(html.escape(ct.event_help(kind)), "ssr-explain")


@solara.component
def EventOptionControl(view: View, opt: ct.EventOption) -> None:
    """A choice list or a slider for one option of an event."""
    view.controls.value  # noqa: B018 - subscribe
    s = view.session
    chosen = s.event_settings[opt.kind][opt.name]

    def set_option(v: Any) -> None:
        if opt.choices:
            v = next(c for c in opt.choices if ct.choice_label(c) == v)
        view.guard(lambda: s.set_event_option(opt.kind, opt.name, v), settings=True)

    if opt.choices:
        solara.Select(
            label=opt.label,
            values=[ct.choice_label(c) for c in opt.choices],
            value=ct.choice_label(chosen),
            on_value=set_option,
            dense=True,
            style="width: 210px; max-width: 100%; font-size: 13px",
        )
        return
    shown = f"{int(chosen)}" if opt.is_int else f"{round(100 * chosen)}%"
    with solara.Div(classes=["ssr-option"]):
        _html(f"{html.escape(opt.label)}: <b>{shown}</b>", "ssr-option-label")
        _slider(opt.label, chosen, opt.lo, opt.hi, opt.step, opt.is_int, set_option)
