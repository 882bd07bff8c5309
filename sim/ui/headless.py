"""Headless Chromium settings for driving the app in tests and benchmarks.

Debian's Chromium (``apt-get install chromium``) is used directly, never a downloaded
browser build; the flags keep it from reaching for outside hosts (the machines reach
only package registries) and let it run as root in a container.
"""

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")

LAUNCH_ARGS: list[str] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
