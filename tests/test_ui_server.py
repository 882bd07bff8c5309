"""`ssr ui` start-up checks (no server is started here)."""

from __future__ import annotations

import socket

from sim.cli import main
from sim.ui import server


def test_port_in_use_is_a_clear_error_with_exit_2(capsys):
    # given another program listening on a loopback port
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        # when the app is asked to serve on it
        code = main(["ui", "--port", str(port)])
    # then it stops with exit 2 and says why, without a traceback
    err = capsys.readouterr().err
    assert code == 2
    assert f"127.0.0.1:{port}" in err and "already in use" in err and "--port" in err
    assert "Traceback" not in err


def test_unknown_host_is_a_clear_error_with_exit_2(capsys):
    assert main(["ui", "--host", "no-such-host.invalid", "--port", "8765"]) == 2
    assert "unknown host" in capsys.readouterr().err


def test_default_is_loopback_only():
    from sim.cli import build_parser

    args = build_parser().parse_args(["ui"])
    assert args.host == "127.0.0.1"
    assert server.urls(args.host, args.port) == [f"http://127.0.0.1:{args.port}/"]


def test_offline_settings_keep_assets_local_and_telemetry_off():
    env: dict[str, str] = {}
    server.configure_environment(env)
    assert env["SOLARA_APP"] == "sim.ui.app"
    assert env["SOLARA_ASSETS_PROXY"] == "true"  # browser loads assets from this server
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "false"
    assert env["SOLARA_MODE"] == "production"
    host = env["SOLARA_ASSETS_CDN"].split("/")[2].split(":")[0]
    assert host == "127.0.0.1"  # a missing asset is never fetched from outside


def test_room_mode_lists_this_computers_addresses():
    for url in server.urls("0.0.0.0", 8765):
        assert url.startswith("http://") and url.endswith(":8765/")
        assert "127.0.0." not in url


def test_given_room_mode_then_start_up_says_who_can_reach_the_app_and_the_facilitator_link():
    lines = server.startup_lines("0.0.0.0", 8765)
    text = "\n".join(lines)
    assert "ANY device on the networks this computer is on" in text
    assert "/facilitator?token=" in lines[-1]


def test_given_loopback_then_start_up_says_only_this_computer_can_open_it():
    text = "\n".join(server.startup_lines("127.0.0.1", 8765))
    assert "Only this computer can open it" in text and "ANY device" not in text


def test_given_no_setting_then_vanished_pages_are_culled_after_two_minutes_and_it_can_be_changed():
    env: dict[str, str] = {}
    server.configure_environment(env)
    assert env["SOLARA_KERNEL_CULL_TIMEOUT"] == "2m"
    env = {"SOLARA_KERNEL_CULL_TIMEOUT": "10m"}
    server.configure_environment(env)
    assert env["SOLARA_KERNEL_CULL_TIMEOUT"] == "10m"


def test_given_the_ssr_ui_program_then_it_serves_with_memory_it_can_give_back():
    import sys
    import urllib.request
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from browser_helpers import serve_app

    # given `ssr ui` started as a program (not called with arguments)
    with serve_app() as served:
        pid = served.process.pid
        # then the same process (its starter can still stop it) serves the page ...
        with urllib.request.urlopen(served.url, timeout=30) as response:
            assert response.status == 200
        # ... with the allocator settings under which freed memory goes back to the system
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        for key, value in server.RETURNABLE_MEMORY_ENV.items():
            assert f"{key}={value}".encode() in environ
    assert served.process.returncode is not None


def test_given_a_caller_passing_arguments_then_ui_never_restarts_the_callers_process():
    from sim.cli import build_parser

    args = build_parser().parse_args(["ui"])
    assert not getattr(args, "program", False)
