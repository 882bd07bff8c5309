"""The page's style: one column on narrow screens, a closable settings panel, 12 px text.

Breakpoint 900 px: below it (phones, portrait tablets) the settings panel is closed
until "Settings and sliders" is pressed and then takes the full width; above it the
panel sits at the left, 320 px wide, and "Hide settings" closes it. The status bar with
the month stays on top while the page scrolls.
"""

CSS = """
.ssr-page { max-width: 1600px; margin: 0 auto; padding: 0 8px 24px 8px; font-size: 14px; }
.ssr-top { position: sticky; top: 0; z-index: 10; background: #fff;
           border-bottom: 1px solid #dde3ea; padding: 6px 0 4px 0; }
.ssr-top-row { flex-wrap: wrap; margin: 0 !important; }
.ssr-top-line { display: flex; flex-wrap: wrap; gap: 4px 8px; align-items: center; }
.ssr-status { font-size: 17px; font-weight: 600; }
.ssr-chip { display: inline-block; padding: 2px 10px; border-radius: 12px;
            background: #eef3f8; font-size: 13px; }
.ssr-chip.bad { background: #fde4e1; }
.ssr-panel-toggles { margin: 4px 0 !important; }
.ssr-body { display: flex; gap: 14px; align-items: flex-start; }
.ssr-panel { flex: 0 0 320px; width: 320px; max-width: 100%; box-sizing: border-box; }
.ssr-main { flex: 1 1 auto; min-width: 0; }
.ssr-below { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 8px; }
.ssr-map-col { flex: 1 1 320px; max-width: 520px; min-width: 0; }
.ssr-log-col { flex: 1 1 300px; min-width: 0; }
.ssr-help { font-size: 12px; color: #555; line-height: 1.3; margin: -2px 0 10px 0; }
.ssr-slider-label { font-size: 13px; margin-top: 4px; }
.ssr-scenario-help { font-size: 12px; color: #555; margin: -10px 0 6px 0; }
.ssr-card-title { font-weight: 600; font-size: 14px; margin: 4px 0 2px 0; color: #1a3d5c; }
.ssr-log { font-size: 13px; border-collapse: collapse; width: 100%; }
.ssr-log td, .ssr-log th { padding: 2px 6px; border-bottom: 1px solid #e3e3e3; text-align: left; }
.ssr-muted { color: #555; font-size: 13px; }
.ssr-tag { font-size: 12px; color: #8a5a00; background: #fff3d6; border-radius: 8px;
           padding: 0 6px; margin-left: 4px; }
.ssr-events { display: flex; flex-wrap: wrap; gap: 6px; align-items: flex-start; margin: 4px 0; }
.ssr-event { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 6px; padding: 4px 6px;
             border: 1px solid #dde3ea; border-radius: 6px; max-width: 100%; box-sizing: border-box; }
.ssr-event .v-input { margin-top: 0; padding-top: 0; }
.ssr-event .v-input__slot { margin-bottom: 0; }
.ssr-event .v-text-field__details, .ssr-event .v-messages { display: none; }
.ssr-option { width: 150px; max-width: 100%; display: flex; flex-direction: column; }
.ssr-option-label { font-size: 12px; color: #444; margin-bottom: -6px; }
.ssr-explain { flex-basis: 100%; font-size: 13px; color: #333; max-width: 420px; }
.ssr-quiet .v-label { display: none; }
.ssr-panel .v-input--selection-controls { margin-top: 0; }
.ssr-table { border-collapse: collapse; font-size: 13px; width: 100%; }
.ssr-table td, .ssr-table th { padding: 3px 6px; border-bottom: 1px solid #e3e3e3; text-align: left;
                               vertical-align: top; }
.ssr-scroll { overflow-x: auto; max-width: 100%; }
@media (max-width: 899px) {
  .ssr-body { display: block; }
  .ssr-panel { width: auto; }
  .ssr-panel:not(.open) { display: none; }
  .ssr-only-wide { display: none !important; }
  .ssr-hide-narrow { display: none !important; }
  .ssr-status { font-size: 15px; }
}
@media (min-width: 900px) {
  .ssr-panel.closed { display: none; }
  .ssr-only-narrow { display: none !important; }
}
"""
"""The style sheet of both pages."""
