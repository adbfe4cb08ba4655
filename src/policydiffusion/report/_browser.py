"""Open a page in headless Chromium and record console errors and network requests.

Used by the tests (and the docs screenshots) to prove that a report opens offline
with no error. Chromium is driven through the DevTools protocol over a pipe
(``--remote-debugging-pipe``: JSON messages separated by NUL bytes on file
descriptors 3 and 4), so no websocket library or extra package is needed.

Recorded: ``Runtime.consoleAPICalled`` of type error/assert, ``Runtime.exceptionThrown``
(script errors), ``Log.entryAdded`` at level error (the browser's own messages, such as
a Content-Security-Policy violation or a failed load) and every
``Network.requestWillBeSent`` whose URL is not ``file:`` or ``data:``.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["PageCheck", "find_chromium", "check_page", "CHROMIUM_FLAGS"]

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                  "--disable-extensions", "--disable-default-apps", "--mute-audio",
                  "--hide-scrollbars")


@dataclass(frozen=True)
class PageCheck:
    """What happened while a page loaded."""

    url: str
    console_errors: tuple[str, ...] = ()
    exceptions: tuple[str, ...] = ()
    log_errors: tuple[str, ...] = ()
    requests: tuple[str, ...] = ()
    title: str = ""
    screenshot: Path | None = None
    values: tuple = ()  # of the ``evaluate`` expressions, in order
    events: tuple[str, ...] = field(default=(), repr=False)

    @property
    def errors(self) -> tuple[str, ...]:
        """Every console error, script exception and browser error, in one list."""
        return self.console_errors + self.exceptions + self.log_errors

    @property
    def clean(self) -> bool:
        """No error of any kind and no network request."""
        return not self.errors and not self.requests


def find_chromium() -> str | None:
    """Path of a Chromium binary (``/usr/bin/chromium`` from Debian), or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class _Pipe:
    def __init__(self, binary: str, profile: str) -> None:
        import fcntl

        def high(fd: int) -> int:  # a copy numbered >= 10, so dup2 onto 3 and 4 never aliases
            new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
            os.close(fd)
            return new

        cmd_r, self._cmd_w = (high(fd) for fd in os.pipe())
        self._res_r, res_w = (high(fd) for fd in os.pipe())

        # Python's own descriptors are not inheritable (PEP 446), so close_fds=False passes
        # only the two copies made here; os.dup2 makes them inheritable.
        def child() -> None:  # runs in the child before exec: put the pipe ends on fds 3 and 4
            os.dup2(cmd_r, 3)
            os.dup2(res_w, 4)

        args = [binary, *CHROMIUM_FLAGS, "--remote-debugging-pipe", f"--user-data-dir={profile}",
                "about:blank"]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, preexec_fn=child, close_fds=False)
        os.close(cmd_r)
        os.close(res_w)
        self._buf = b""
        self._id = 0
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 30) -> dict:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._cmd_w, json.dumps(msg).encode() + b"\0")
        want = self._id
        deadline = time.monotonic() + timeout
        while True:
            m = self._read(deadline)
            if m.get("id") == want:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("Chromium did not answer in time")
            ready, _, _ = select.select([self._res_r], [], [], left)
            if ready:
                chunk = os.read(self._res_r, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe")
                self._buf += chunk
        raw, _, self._buf = self._buf.partition(b"\0")
        return json.loads(raw)

    def wait_event(self, method: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        if any(e.get("method") == method for e in self.events):
            return True
        while time.monotonic() < deadline:
            try:
                m = self._read(deadline)
            except TimeoutError:
                return False
            self.events.append(m)
            if m.get("method") == method:
                return True
        return False

    def drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        try:
            while True:
                self.events.append(self._read(deadline))
        except TimeoutError:
            pass

    def close(self) -> None:
        try:
            os.write(self._cmd_w, json.dumps({"id": 0, "method": "Browser.close"}).encode() + b"\0")
        except OSError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._cmd_w, self._res_r):
            try:
                os.close(fd)
            except OSError:
                pass
        if self.proc.stderr is not None:
            self.proc.stderr.close()


def _console_text(params: dict) -> str:
    parts = []
    for a in params.get("args", []):
        parts.append(str(a.get("value", a.get("description", ""))))
    return " ".join(parts)


def check_page(path: str | Path, *, screenshot: str | Path | None = None, width: int = 1280,
               height: int = 2000, full_page: bool = False, settle: float = 1.0,
               timeout: float = 60, binary: str | None = None,
               evaluate: tuple[str, ...] = ()) -> PageCheck:
    """Load ``path`` (a file) in headless Chromium and report errors and requests.

    Parameters
    ----------
    path
        An HTML file, opened as a ``file://`` URL.
    screenshot
        Where to save a PNG of the viewport (``width`` x ``height``), or of the whole
        page with ``full_page=True``.
    settle
        Seconds to keep listening after the load event, for late messages.
    binary
        Chromium executable (default: :func:`find_chromium`).
    evaluate
        JavaScript expressions evaluated after the load (promises awaited); their
        values come back in ``values``.
    """
    binary = binary or find_chromium()
    if binary is None:
        raise FileNotFoundError("Chromium not found; install it with `apt-get install -y chromium`")
    url = Path(path).resolve().as_uri()
    with tempfile.TemporaryDirectory(prefix="pd-chromium-") as profile:
        pipe = _Pipe(binary, profile)
        try:
            targets = pipe.send("Target.getTargets")["targetInfos"]
            page = next(t for t in targets if t["type"] == "page")
            session = pipe.send("Target.attachToTarget", {"targetId": page["targetId"],
                                                          "flatten": True})["sessionId"]
            for domain in ("Runtime", "Log", "Network", "Page"):
                pipe.send(f"{domain}.enable", session=session)
            pipe.send("Emulation.setDeviceMetricsOverride",
                      {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
                      session=session)
            pipe.events.clear()
            pipe.send("Page.navigate", {"url": url}, session=session)
            if not pipe.wait_event("Page.loadEventFired", timeout):
                raise TimeoutError(f"{url} did not finish loading in {timeout} s")
            pipe.drain(settle)
            title = pipe.send("Runtime.evaluate", {"expression": "document.title",
                                                   "returnByValue": True},
                              session=session)["result"].get("value", "")
            values = tuple(pipe.send("Runtime.evaluate", {"expression": js, "returnByValue": True,
                                                          "awaitPromise": True},
                                     session=session)["result"].get("value") for js in evaluate)
            shot = None
            if screenshot is not None:
                params: dict = {"format": "png"}
                if full_page:
                    m = pipe.send("Page.getLayoutMetrics", session=session)
                    size = m.get("cssContentSize") or m["contentSize"]
                    params.update(captureBeyondViewport=True, clip={
                        "x": 0, "y": 0, "width": size["width"], "height": size["height"],
                        "scale": 1})
                import base64

                data = pipe.send("Page.captureScreenshot", params, session=session)["data"]
                shot = Path(screenshot)
                shot.write_bytes(base64.b64decode(data))
            pipe.drain(0.2)
        finally:
            pipe.close()
    console, exceptions, logs, requests = [], [], [], []
    for e in pipe.events:
        method, p = e.get("method"), e.get("params", {})
        if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            console.append(_console_text(p))
        elif method == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            exceptions.append(d.get("exception", {}).get("description") or d.get("text", ""))
        elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            logs.append(p["entry"].get("text", ""))
        elif method == "Network.requestWillBeSent":
            req = p.get("request", {}).get("url", "")
            if not req.startswith(("file:", "data:")):
                requests.append(req)
    return PageCheck(url=url, console_errors=tuple(console), exceptions=tuple(exceptions),
                     log_errors=tuple(logs), requests=tuple(requests), title=title,
                     screenshot=shot, values=values, events=tuple(str(e.get("method")) for e in pipe.events))
