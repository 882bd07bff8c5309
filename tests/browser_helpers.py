"""Driving the workshop app in Debian's Chromium, for the browser tests and benchmarks.

Debian's Chromium (``apt-get install chromium``) is used directly, never a downloaded
browser build; the flags keep it from reaching for outside hosts (the machines reach
only package registries) and let it run as root in a container. The app is served by a
real ``python -m sim ui`` on a free loopback port.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}

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

STEP_AND_WAIT = """async () => {
  const status = () => document.querySelector('.ssr-status').innerText;
  const before = status();
  const button = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Step');
  const t0 = performance.now();
  button.click();
  await new Promise((resolve, reject) => {
    const give_up = t0 + 20000;
    const check = () => {
      if (status() !== before) resolve();
      else if (performance.now() > give_up) reject(new Error('the month did not change'));
      else requestAnimationFrame(check);
    };
    check();
  });
  await new Promise(requestAnimationFrame);
  return performance.now() - t0;
}"""
"""Browser-side script: press Step, wait until the new month is drawn, return the ms taken."""


@dataclass
class Server:
    """A running ``ssr ui``: its address, facilitator link and process."""

    url: str
    facilitator: str
    process: subprocess.Popen


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve_app(
    extra_env: dict[str, str] | None = None, timeout: float = 90, *, faults: bool = False
) -> Iterator[Server]:
    """Start ``python -m sim ui`` on a free port; stop it (and wait for it) afterwards.

    With ``faults``, the server runs under ``tests/ssr_faults.py`` (the test hooks of
    ``tests/fault_hooks.py``, switched on by ``extra_env``).
    """
    port = free_port()
    program = [str(ROOT / "tests" / "ssr_faults.py")] if faults else ["-m", "sim"]
    env = {**os.environ, "SSR_SCENARIOS": str(ROOT / "scenarios"), **(extra_env or {})}
    env.pop("SSR_FACILITATOR_TOKEN", None)
    proc = subprocess.Popen(
        [sys.executable, *program, "ui", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        facilitator = _facilitator_link(proc, timeout)
        url = f"http://127.0.0.1:{port}/"
        _wait_until_served(proc, url, timeout)
        yield Server(url, facilitator, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _facilitator_link(proc: subprocess.Popen, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"ssr ui exited with {proc.wait()}")
        m = re.search(r"(http://\S+/facilitator\?token=\S+)", line)
        if m:
            return m.group(1)
    raise RuntimeError("ssr ui printed no facilitator link")


def _wait_until_served(proc: subprocess.Popen, url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"ssr ui exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"ssr ui did not answer within {timeout:.0f} s")
        time.sleep(0.3)


class Offline:
    """Blocks and records every request that leaves this computer."""

    def __init__(self) -> None:
        self.blocked: list[str] = []
        self.failed: list[str] = []

    def attach(self, context) -> None:
        """Route every request of a browser context through the check."""

        def route(r):
            host = urlparse(r.request.url).hostname or ""
            if r.request.url.startswith(("data:", "blob:")) or host in LOOPBACK:
                r.continue_()
            else:
                self.blocked.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        context.on("requestfailed", lambda req: self.failed.append(req.url))
