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


STEP_AND_WAIT = """async () => {
  const img = document.querySelector('img.ssr-charts');
  const before = img.src;
  const button = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Step');
  const t0 = performance.now();
  button.click();
  await new Promise((resolve, reject) => {
    const give_up = t0 + 20000;
    const check = () => {
      if (img.src !== before) resolve();
      else if (performance.now() > give_up) reject(new Error('charts did not change'));
      else requestAnimationFrame(check);
    };
    check();
  });
  await img.decode();
  return performance.now() - t0;
}"""
"""Browser-side script: press Step, wait until the new charts are decoded, return the ms taken."""
