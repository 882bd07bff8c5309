"""The workshop page (Solara): controls, live charts, map, events and downloads.

Served by ``ssr ui`` (:mod:`sim.ui.server`). Every browser tab renders its own ``Page``,
and the :class:`~sim.ui.state.Session` (and so the model) lives inside it
(``solara.use_memo``): ten participants on one server each have their own model, and one
pressing Play or Reset never touches another's. This module only draws a session and
forwards clicks; the logic is in :mod:`sim.ui.state`.
"""

from __future__ import annotations

import html
import time

import solara

from sim.indicators import REGION_COLUMNS
from sim.params import INIT_ONLY
from sim.ui import state as st

CSS = """
.ssr-help { font-size: 11.5px; color: #555; line-height: 1.25; margin: -4px 0 10px 0; }
.ssr-slider-label { font-size: 13px; margin-top: 4px; }
.ssr-scenario-help { font-size: 11.5px; color: #555; margin: -14px 0 6px 0; }
.ssr-card-title { font-weight: 600; font-size: 14px; margin: 4px 0 2px 0; color: #1a3d5c; }
.ssr-status { font-size: 18px; font-weight: 600; }
.ssr-chip { display: inline-block; padding: 2px 10px; margin-right: 6px; border-radius: 12px;
            background: #eef3f8; font-size: 13px; }
.ssr-chip.bad { background: #fde4e1; }
.ssr-log { font-size: 12.5px; border-collapse: collapse; width: 100%; }
.ssr-log td, .ssr-log th { padding: 2px 6px; border-bottom: 1px solid #e3e3e3; text-align: left; }
.ssr-muted { color: #666; font-size: 12.5px; }
.ssr-tag { font-size: 10.5px; color: #8a5a00; background: #fff3d6; border-radius: 8px;
           padding: 0 6px; margin-left: 4px; }
.ssr-event { display: inline-flex; align-items: center; gap: 6px; padding: 0 8px 0 4px;
             border: 1px solid #dde3ea; border-radius: 6px; height: 48px; }
.ssr-event .v-input { margin-top: 0; padding-top: 0; }
.ssr-option { width: 110px; display: flex; flex-direction: column; }
.ssr-option-label { font-size: 11.5px; color: #444; margin-bottom: -6px; }
.ssr-event .v-input__slot { margin-bottom: 0; }
.ssr-event .v-text-field__details, .ssr-event .v-messages { display: none; }
.solara-image img, img.solara-image { max-width: 100%; height: auto; }
"""

MAX_SPEED = 12
_MAP_KEYS = {label: key for key, label in st.MAP_COLUMNS.items()}


@solara.component
def ParameterSliders(session: st.Session, on_change, version: int) -> None:
    """Sliders of the key parameters, by theme, with plain-language help.

    ``version`` changes with the settings (e.g. another scenario), so they are redrawn.
    """
    for theme, names in st.THEMES.items():
        with solara.Card(margin=0, classes=["mb-2"]):
            solara.HTML(tag="div", unsafe_innerHTML=html.escape(theme), classes=["ssr-card-title"])
            for name in names:
                sl = st.slider(name)
                value = session.settings[name]

                def set_value(v, name=name, sl=sl):
                    # a slider snaps a value off its step grid (e.g. 289 with step 30)
                    # and reports it: that is not a move by the participant
                    if abs(float(v) - float(session.settings[name])) < sl.step / 2:
                        return
                    session.set_param(name, v)
                    on_change()

                shown = f"{int(value):,}" if sl.is_int else f"{value:.3g}"
                tag = (
                    '<span class="ssr-tag" title="Read only when the model is built: '
                    'Apply now cannot change it mid-run.">at Reset only</span>'
                    if name in INIT_ONLY
                    else ""
                )
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML=f"{html.escape(sl.label)}: <b>{shown}</b>{tag}",
                    classes=["ssr-slider-label"],
                )
                _slider(value, sl.lo, sl.hi, sl.step, sl.is_int, set_value)
                solara.HTML(tag="div", unsafe_innerHTML=html.escape(sl.help), classes=["ssr-help"])


def _slider(value, lo, hi, step, is_int: bool, on_value, **extra) -> None:
    """An unlabelled integer or float slider (the label is drawn above it)."""
    if is_int:
        solara.SliderInt(
            "",
            value=int(value),
            min=int(lo),
            max=int(hi),
            step=int(step),
            on_value=on_value,
            **extra,
        )
    else:
        solara.SliderFloat(
            "", value=float(value), min=lo, max=hi, step=step, on_value=on_value, **extra
        )


@solara.component
def EventButton(
    session: st.Session, kind: str, inject, on_change, disabled: bool, version: int
) -> None:
    """One "make it happen now" button with its options (if any) next to it.

    ``version`` changes with the options, so the controls show the stored values.
    """
    options = st.event_options(kind)

    def button() -> None:
        with solara.Tooltip(st.event_help(kind)):
            solara.Button(
                st.EVENT_BUTTONS[kind],
                on_click=lambda: inject(kind),
                disabled=disabled,
                outlined=True,
                small=True,
                color="error" if kind in {"terminate_agreement", "coup"} else None,
            )

    if not options:
        button()
        return
    chosen = session.event_settings[kind]
    with solara.Div(classes=["ssr-event"]):
        button()
        for opt in options:

            def set_option(v, opt=opt):
                if opt.choices:
                    v = next(c for c in opt.choices if st.choice_label(c) == v)
                session.set_event_option(kind, opt.name, v)
                on_change()

            if opt.choices:
                labels = [st.choice_label(c) for c in opt.choices]
                width = max(len(x) for x in labels) * 7 + 40
                solara.Select(
                    label=opt.label,
                    values=labels,
                    value=st.choice_label(chosen[opt.name]),
                    on_value=set_option,
                    dense=True,
                    style=f"width: {width}px; font-size: 13px",
                )
            else:
                shown = f"{int(chosen[opt.name])}" if opt.is_int else f"{chosen[opt.name]:g}"
                with solara.Div(classes=["ssr-option"]):
                    solara.HTML(
                        tag="div",
                        unsafe_innerHTML=f"{html.escape(opt.label)}: <b>{shown}</b>",
                        classes=["ssr-option-label"],
                    )
                    _slider(
                        chosen[opt.name],
                        opt.lo,
                        opt.hi,
                        opt.step,
                        opt.is_int,
                        set_option,
                        thumb_label=False,
                    )


@solara.component
def EventLog(session: st.Session, version: int) -> None:
    """Events applied so far and injected ones waiting for the next month.

    ``version`` changes whenever the model does, so the log is drawn again (a component
    whose arguments are unchanged is not).
    """
    entries = session.event_log()
    if not entries:
        solara.HTML(tag="div", unsafe_innerHTML="No event yet.", classes=["ssr-muted"])
        return
    rows = "".join(
        f"<tr><td>{e.date}</td><td>{html.escape(e.label)}</td>"
        f"<td>{'you' if e.source == 'you' else 'scenario'}</td>"
        f"<td>{'applied' if e.applied else 'next month'}</td></tr>"
        for e in entries
    )
    solara.HTML(
        tag="table",
        unsafe_innerHTML=f"<tr><th>Month</th><th>Event</th><th>By</th><th></th></tr>{rows}",
        classes=["ssr-log"],
    )


@solara.component
def Page() -> None:
    """One participant's page, with a model of their own."""
    session = solara.use_memo(st.Session, [])
    version, set_version = solara.use_state(0)  # model changed
    settings_version, set_settings_version = solara.use_state(0)  # controls changed
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(4)
    ghost = solara.use_reactive(True)
    map_column = solara.use_reactive("incidents")
    message = solara.use_reactive("")
    notice = solara.use_reactive("")

    def refresh() -> None:
        set_version(lambda v: v + 1)

    def settings_changed() -> None:
        set_settings_version(lambda v: v + 1)

    def play_loop() -> None:
        # Keep the simulated pace (months per second) even when drawing is slow, e.g. many
        # participants playing on one laptop: then one picture covers several months.
        t0, done, pace = time.monotonic(), 0, speed.value
        while playing.value:
            if speed.value != pace:
                t0, done, pace = time.monotonic(), 0, speed.value
            due = int((time.monotonic() - t0) * pace) + 1
            months = max(1, due - done)
            if not session.step(months):
                playing.value = False
                break
            done += months
            refresh()
            pause = t0 + done / pace - time.monotonic()
            if pause > 0:
                time.sleep(pause)
        refresh()

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    def on_step() -> None:
        playing.value = False
        session.step()
        refresh()

    def on_reset() -> None:
        playing.value = False
        session.reset()
        message.value = ""
        notice.value = ""
        refresh()
        settings_changed()

    def on_scenario(name: str) -> None:
        playing.value = False
        session.select_scenario(name)
        message.value = ""
        notice.value = ""
        refresh()
        settings_changed()

    def on_seed(seed: int) -> None:
        try:
            session.set_seed(int(seed))
            message.value = ""
        except ValueError as err:
            message.value = str(err)
        settings_changed()

    def inject(kind: str) -> None:
        try:
            session.inject(kind)
            message.value = ""
        except ValueError as err:  # EventError is one too
            message.value = str(err)
        refresh()

    def on_apply() -> None:
        try:
            result = session.apply_now()
            message.value = ""
            notice.value = result.message
        except ValueError as err:  # EventError is one too
            message.value = f"Not applied: {err}"
            notice.value = ""
        refresh()
        settings_changed()

    charts = solara.use_memo(lambda: session.charts_png(ghost=ghost.value), [version, ghost.value])
    region_map = solara.use_memo(
        lambda: session.map_png(map_column.value), [version, map_column.value]
    )
    latest = session.latest()
    agreement = session.agreement_active()

    solara.Title("SSR in Mali: workshop model")
    solara.Style(CSS)
    with solara.AppBarTitle():
        solara.Text("Security sector reform in Mali: workshop model")

    with solara.Sidebar():
        solara.Select(
            label="Scenario",
            values=list(session.scenarios),
            value=session.scenario_name,
            on_value=on_scenario,
        )
        solara.HTML(
            tag="div",
            unsafe_innerHTML=html.escape(session.scenario.description),
            classes=["ssr-scenario-help"],
        )
        solara.InputInt("Seed", value=session.seed, on_value=on_seed)
        n = int(session.model.p.community.count)
        solara.HTML(
            tag="div",
            unsafe_innerHTML=f"{n:,} community agents · {session.horizon} months from "
            f"{session.scenario.start}. <b>Apply now</b> changes the running model from the "
            "next month; <b>Reset</b> restarts it with the sliders and seed.",
            classes=["ssr-muted", "mb-2"],
        )
        with solara.Row(style="gap: 6px; margin-bottom: 12px"):
            solara.Button(
                "Apply now",
                on_click=on_apply,
                disabled=not session.can_apply(),
                color="primary",
                small=True,
            )
        if session.pending:
            parts = []
            if session.can_apply():
                parts.append("Sliders moved: Apply now to use them from the next month, or Reset.")
            later = session.needs_reset()
            if later:
                parts.append(f"{', '.join(later)}: read only when the model is built, needs Reset.")
            if session.seed != session.model_seed:
                parts.append("Seed changed: press Reset to use it.")
            if parts:
                solara.Warning(" ".join(parts))
        if notice.value:
            solara.Info(notice.value)
        ParameterSliders(session, settings_changed, settings_version)

    with solara.Row(style="align-items: center; flex-wrap: wrap; gap: 8px"):
        solara.HTML(tag="span", unsafe_innerHTML=session.status(), classes=["ssr-status"])
        solara.HTML(
            tag="span",
            unsafe_innerHTML=f"Agreement active: {agreement}"
            + (" (in force)" if agreement else " (terminated)"),
            classes=["ssr-chip"] + ([] if agreement else ["bad"]),
        )
        if latest:
            solara.HTML(
                tag="span",
                unsafe_innerHTML=f"Incidents {int(latest['incidents'])} · "
                f"civilians harmed {int(latest['civilian_harm'])} · "
                f"trust {latest['trust']:.2f} · reform {latest['reform_index']:.2f}",
                classes=["ssr-chip"],
            )
    with solara.Row(style="align-items: center; flex-wrap: wrap; gap: 6px"):
        solara.Button("Step", on_click=on_step, disabled=session.finished, color="primary")
        if playing.value:
            solara.Button("Pause", on_click=lambda: playing.set(False), color="primary")
        else:
            solara.Button(
                "Play",
                on_click=lambda: playing.set(True),
                disabled=session.finished,
                color="primary",
            )
        solara.Button("Reset", on_click=on_reset, outlined=True)
        with solara.Div(style="width: 260px; padding-top: 18px"):
            solara.SliderInt("Speed (months/s)", value=speed, min=1, max=MAX_SPEED)
        solara.Checkbox(label="Baseline for comparison (dashed)", value=ghost)
    with solara.Row(style="align-items: center; flex-wrap: wrap; gap: 6px"):
        solara.HTML(tag="span", unsafe_innerHTML="Make it happen now:", classes=["ssr-muted"])
        for kind in st.EVENT_BUTTONS:
            EventButton(session, kind, inject, settings_changed, session.finished, settings_version)
    if message.value:
        solara.Error(message.value)

    with solara.Columns([7, 4], gutters_dense=True):
        with solara.Column():
            solara.Image(charts, width="100%", classes=["ssr-charts"])
        with solara.Column():
            solara.Select(
                label="Colour the map by",
                values=[st.MAP_COLUMNS[c] for c in st.MAP_COLUMNS if c in REGION_COLUMNS],
                value=st.MAP_COLUMNS[map_column.value],
                on_value=lambda label: map_column.set(_MAP_KEYS[label]),
            )
            solara.Image(region_map, width="100%", classes=["ssr-map"])
            solara.HTML(tag="div", unsafe_innerHTML="Event log", classes=["ssr-card-title"])
            EventLog(session, version)
            with solara.Row(style="margin-top: 12px; gap: 6px; flex-wrap: wrap"):
                solara.FileDownload(
                    session.csv_bytes,
                    filename=session.csv_filename(),
                    label="Download data (CSV)",
                    mime_type="text/csv",
                )
                solara.FileDownload(
                    lambda: session.charts_png(ghost=ghost.value, dpi=150),
                    filename=session.csv_filename().removesuffix(".csv") + ".png",
                    label="Download charts (PNG)",
                    mime_type="image/png",
                )
