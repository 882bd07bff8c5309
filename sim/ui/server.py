"""``ssr ui``: serve the workshop app from this computer, with no internet needed.

The page's JavaScript, CSS and fonts come from the ``solara-assets`` package installed
with the ``ui`` extra and are served by this server under ``/_solara/cdn/``
(``SOLARA_ASSETS_PROXY``). The setting that names an outside CDN, used by Solara to fetch
an asset missing from that bundle, is pointed at a closed loopback port, so neither the
participants' browsers nor this server ever contact an outside host. Solara's usage
telemetry and its start-up "check" page (both outside calls) are switched off.
"""

from __future__ import annotations

import argparse
import errno
import os
import socket
import sys

APP = "sim.ui.app"

OFFLINE_ENV: dict[str, str] = {
    "SOLARA_APP": APP,
    # the browser loads every asset from this server, which reads them from solara-assets
    "SOLARA_ASSETS_PROXY": "true",
    # an asset missing from the bundle fails at once instead of being fetched from outside
    "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/no-cdn/",
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
    # production mode: no development "check" iframe pointing at an outside site
    "SOLARA_MODE": "production",
    "SOLARA_THEME_SHOW_BANNER": "false",
    "SOLARA_THEME_TITLE": "SSR in Mali: workshop model",
}
"""Environment set before Solara is imported (its settings are read at import)."""

ROOM_DEFAULTS: dict[str, str] = {
    # a page whose browser vanished (phone off the Wi-Fi, closed laptop) is dropped after
    # this long without a connection, and its model's memory returned; Solara's own
    # default keeps it for 24 hours. Set the variable before `ssr ui` to change it.
    "SOLARA_KERNEL_CULL_TIMEOUT": "2m",
}
"""Settings the person starting the server may override from the environment."""


def configure_environment(env: dict[str, str] | None = None) -> None:
    """Set the offline Solara settings (in ``os.environ`` unless ``env`` is given)."""
    target = os.environ if env is None else env
    for key, value in OFFLINE_ENV.items():
        target[key] = value
    for key, value in ROOM_DEFAULTS.items():
        target.setdefault(key, value)


def bind(host: str, port: int) -> socket.socket:
    """A listening-ready socket on (host, port), bound now so a busy port is caught early.

    Raises:
        OSError: the address is in use, unknown or not available on this computer.
    """
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


RETURNABLE_MEMORY_ENV: dict[str, str] = {
    # every Python object from the C allocator, which malloc_trim can hand back ...
    "PYTHONMALLOC": "malloc",
    # ... from few heaps (one per thread otherwise, each keeping its free pages)
    "MALLOC_ARENA_MAX": "2",
}
"""Allocator settings of the server process (read by Python and glibc at start-up only).

With Python's own small-object allocator, the memory of participants who left stays
with the server (measured: 36% above idle after 20 left, all their objects freed);
with these settings and ``malloc_trim`` when a page leaves it was 17%
(``benchmarks/bench_room.py``, figures in docs/workshop.md)."""

SOCKET_FD_ENV = "SSR_UI_SOCKET_FD"
"""The listening socket handed to the re-started server process (its file descriptor)."""


def restart_with_returnable_memory(sock: socket.socket) -> None:
    """Start this program afresh in this process with :data:`RETURNABLE_MEMORY_ENV` set.

    The bound socket is inherited (so a busy port was already reported, and the address
    cannot be taken in between); the process keeps its id, so whoever started it can
    still stop it. Nothing happens off Linux or when the settings are already in place.
    """
    env = os.environ
    if not sys.platform.startswith("linux") or all(
        env.get(k) == v for k, v in RETURNABLE_MEMORY_ENV.items()
    ):
        return
    sock.set_inheritable(True)
    sys.stdout.flush()
    sys.stderr.flush()
    new_env = {**env, **RETURNABLE_MEMORY_ENV, SOCKET_FD_ENV: str(sock.fileno())}
    os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], new_env)


def inherited_socket() -> socket.socket | None:
    """The listening socket handed over by :func:`restart_with_returnable_memory`, if any."""
    fd = os.environ.pop(SOCKET_FD_ENV, None)
    if fd is None:
        return None
    sock = socket.socket(fileno=int(fd))
    sock.set_inheritable(False)
    return sock


def lan_addresses() -> list[str]:
    """IPv4 addresses of this computer other than loopback (for the room's URL)."""
    try:
        _, _, addresses = socket.gethostbyname_ex(socket.gethostname())
    except OSError:
        return []
    return sorted({a for a in addresses if not a.startswith("127.")})


def urls(host: str, port: int) -> list[str]:
    """The addresses to give participants."""
    if host in ("0.0.0.0", "::", ""):
        found = [f"http://{a}:{port}/" for a in lan_addresses()]
        return found or [f"http://<this computer's address>:{port}/"]
    shown = f"[{host}]" if ":" in host else host
    return [f"http://{shown}:{port}/"]


def startup_lines(host: str, port: int) -> list[str]:
    """What ``ssr ui`` prints: where to open the app, who can reach it, the facilitator link."""
    from sim.ui.room import facilitator_token

    where = urls(host, port)
    lines = [f"Workshop app: open {' or '.join(where)} in a web browser (Ctrl+C stops it)."]
    if host in ("127.0.0.1", "localhost", "::1"):
        lines.append(
            "Only this computer can open it; for a room, use --host 0.0.0.0 (see docs/workshop.md)."
        )
    elif host in ("0.0.0.0", "::", ""):
        found = ", ".join(lan_addresses()) or "none found"
        lines.append(
            f"Reachable by ANY device on the networks this computer is on (its addresses: "
            f"{found}), not just the room: use it on the workshop network or hotspot only."
        )
    else:
        lines.append(f"Reachable by devices that can reach {host}.")
    cull = os.environ.get("SOLARA_KERNEL_CULL_TIMEOUT", "")
    lines.append(
        f"A page whose browser is gone is dropped after {cull} (SOLARA_KERNEL_CULL_TIMEOUT)."
    )
    lines.append(
        f"Facilitator page (keep this link to yourself): {where[0]}facilitator?token="
        f"{facilitator_token()}"
    )
    return lines


def main(args: argparse.Namespace) -> int:
    """Serve the app until interrupted; 2 when the address cannot be used."""
    host, port = args.host, args.port
    try:
        sock = inherited_socket() or bind(host, port)
    except OSError as err:
        if err.errno == errno.EADDRINUSE:
            why = "the port is already in use (another `ssr ui`?); choose another with --port"
        elif isinstance(err, socket.gaierror):
            why = "unknown host name; use an address such as 127.0.0.1 or 0.0.0.0"
        else:
            why = err.strerror or str(err)
        print(f"error: --host/--port: cannot listen on {host}:{port}: {why}", file=sys.stderr)
        return 2
    if getattr(args, "program", False):  # this process is `ssr ui` itself, not a caller's
        restart_with_returnable_memory(sock)

    configure_environment()
    os.environ["SERVER_NAME"] = host
    os.environ["SERVER_PORT"] = str(port)
    import uvicorn

    config = uvicorn.Config("solara.server.starlette:app", log_level="warning")
    server = uvicorn.Server(config)
    for line in startup_lines(host, port):
        print(line, flush=True)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return 0
