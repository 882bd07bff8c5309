"""A workshop participant without a browser: speaks the page's websocket protocol directly.

Thirty real browser pages on a 2-core laptop take the cores from the server they measure.
This client is what a page sends and receives, and nothing else: it opens a kernel
connection as the page does (``/jupyter/api/kernels/<id>/channels``), asks for the app
(the ``solara.control`` comm, method ``run``), keeps every widget's state from the
``comm_open`` and ``update`` messages, presses buttons (the ``click`` event a Vuetify
button sends), moves the speed slider (a ``v_model`` update) and, as the chart component
does once it has drawn, reports the months it holds (the ``drawn`` event), so Play paces
itself on this client exactly as on a page. Latency is from the click to the message
that carries the new month; bytes are the websocket frames received.

Used by ``benchmarks/bench_room.py --client protocol``.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import websockets
from solara.server.kernel import deserialize_binary_message

STATUS = re.compile(r'class="ssr-status">[^<]*?(\d+) of (\d+)')


def _message(msg_type: str, content: dict[str, Any], session: str) -> str:
    header = {
        "msg_id": uuid.uuid4().hex,
        "msg_type": msg_type,
        "session": session,
        "username": "bench",
        "date": "",
        "version": "5.3",
    }
    return json.dumps(
        {
            "header": header,
            "parent_header": {},
            "metadata": {},
            "content": content,
            "channel": "shell",
            "buffers": [],
        }
    )


@dataclass
class Participant:
    """One participant's page, as the server sees it."""

    url: str
    session: str = field(default_factory=lambda: uuid.uuid4().hex)
    states: dict[str, dict[str, Any]] = field(default_factory=dict)
    received_bytes: int = 0
    month: int = 0
    drawn: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    _ws: Any = None
    _reader: asyncio.Task | None = None
    _control: str = field(default_factory=lambda: uuid.uuid4().hex)
    _started: asyncio.Event = field(default_factory=asyncio.Event)

    async def open(self, timeout: float = 120) -> None:
        """Connect, start the app and wait for its Step button."""
        base = self.url.rstrip("/").replace("http://", "ws://")
        kernel = uuid.uuid4()
        address = f"{base}/jupyter/api/kernels/{kernel}/channels?session_id={uuid.uuid4()}"
        cookie = {"Cookie": f"solara-session-id={self.session}"}
        self._ws = await websockets.connect(address, additional_headers=cookie, max_size=None)
        self._reader = asyncio.create_task(self._read())
        open_control = {"comm_id": self._control, "target_name": "solara.control", "data": {}}
        await self._send("comm_open", open_control)
        run = {"method": "run", "args": {"path": "", "appName": "__default__"}}
        await self._send("comm_msg", {"comm_id": self._control, "data": run})
        await asyncio.wait_for(self._started.wait(), timeout)
        await self.until(lambda: self.button("Step") is not None, timeout)

    async def close(self) -> None:
        """Leave as a closed tab does: the connection drops."""
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()

    async def _send(self, msg_type: str, content: dict[str, Any]) -> None:
        await self._ws.send(_message(msg_type, content, self.session))

    async def _read(self) -> None:
        async for frame in self._ws:
            self.received_bytes += len(frame)
            msg = json.loads(frame) if isinstance(frame, str) else deserialize_binary_message(frame)
            await self._receive(msg)

    async def _receive(self, msg: dict[str, Any]) -> None:
        kind, content = msg["header"]["msg_type"], msg.get("content", {})
        comm = content.get("comm_id", "")
        data = content.get("data", {})
        if kind == "comm_open":
            self.states[comm] = dict(data.get("state", {}))
        elif kind == "comm_msg" and comm == self._control:
            if data.get("method") == "finished":
                self._started.set()
        elif kind == "comm_msg" and data.get("method") == "update":
            self.states.setdefault(comm, {}).update(data.get("state", {}))
            await self._updated(comm, data.get("state", {}))
        elif kind == "comm_close":
            self.states.pop(comm, None)
        self.changed.set()

    async def _updated(self, comm: str, state: dict[str, Any]) -> None:
        found = STATUS.search(str(state.get("content", "")))
        if found:
            self.month = int(found.group(1))
        patch = state.get("patch")
        if isinstance(patch, dict) and "rows" in patch:
            # as the chart component does once drawn: report the months it holds
            self.drawn = int(patch.get("from", 0)) + len(patch["rows"])
            drawn = {"gen": patch.get("gen", 0), "month": self.drawn}
            await self.event(comm, "drawn", drawn)

    async def until(self, condition, timeout: float) -> None:
        """Wait until ``condition()`` holds (re-checked after every message)."""
        deadline = time.monotonic() + timeout
        while not condition():
            self.changed.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the page did not get there in time")
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except TimeoutError:
                pass

    def button(self, text: str) -> str | None:
        """The comm id of the enabled button labelled ``text``, if the page shows one."""
        for comm, state in self.states.items():
            if state.get("_model_name") == "BtnModel" and state.get("children") == [text]:
                if not state.get("disabled"):
                    return comm
        return None

    def widget(self, model: str, **traits: Any) -> str | None:
        """The comm id of a widget of ``model`` whose traits include ``traits``."""
        for comm, state in self.states.items():
            if state.get("_model_name") == model and all(
                state.get(k) == v for k, v in traits.items()
            ):
                return comm
        return None

    async def event(self, comm: str, name: str, data: Any = None) -> None:
        """Send a widget event (a click, or a Vue component's method call)."""
        custom = {"method": "custom", "content": {"event": name, "data": data or {}}}
        await self._send("comm_msg", {"comm_id": comm, "data": custom})

    async def click(self, text: str, timeout: float = 60) -> None:
        """Press the button labelled ``text`` (waiting for it to show)."""
        await self.until(lambda: self.button(text) is not None, timeout)
        await self.event(self.button(text), "click")

    async def step(self, timeout: float = 20) -> float:
        """Press Step; milliseconds until the new month arrives."""
        before = self.month
        t0 = time.perf_counter()
        await self.click("Step")
        await self.until(lambda: self.month != before, timeout)
        return 1000 * (time.perf_counter() - t0)

    async def set_slider(self, label: str, value: int) -> None:
        """Move the slider labelled ``label`` to ``value``."""
        comm = self.widget("SliderModel", label=label)
        if comm is None:
            raise LookupError(f"no slider labelled {label!r}")
        update = {"method": "update", "state": {"v_model": value}, "buffer_paths": []}
        await self._send("comm_msg", {"comm_id": comm, "data": update})
