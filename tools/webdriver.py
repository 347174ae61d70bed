"""A minimal W3C WebDriver client for headless Chromium, with the network disabled (stdlib only).

One job: open a local page the way an auditor would (``file://``, no network), read the DOM, run
a script, take a screenshot. Used by the browser test (tests/test_docs_browser.py, marked slow) and
by the load-time benchmark (tools/bench.py). It talks to ``chromedriver`` over HTTP with urllib,
so no selenium dependency; ``png_pixels`` decodes Chromium's screenshots with zlib and numpy only.

Network off: every request goes to a proxy on 127.0.0.1:9 (discard port, nothing listens) and
``<-loopback>`` removes the implicit loopback bypass, so any http(s) fetch fails; background
networking, component updates and sync are off too. ``file://`` is not proxied.
"""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import zlib
from typing import Any

import numpy as np

__all__ = ["Browser", "browser_available", "png_pixels", "CHROME_ARGS"]

CHROME_ARGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-first-run", "--no-default-browser-check", "--disable-extensions",
               "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>", "--hide-scrollbars")


def _find(*names: str) -> str | None:
    for n in names:
        p = shutil.which(n)
        if p:
            return p
    return None


def browser_available() -> bool:
    return bool(_find("chromium", "chromium-browser", "google-chrome") and _find("chromedriver"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Browser:
    """``with Browser() as b: b.get(url); b.script("return document.title")``."""

    def __init__(self, width: int = 1280, height: int = 900, timeout: float = 30.0) -> None:
        self.width, self.height, self.timeout = width, height, timeout
        self._profile = tempfile.mkdtemp(prefix="cuadra-chromium-")
        self._port = _free_port()
        self._proc: subprocess.Popen[bytes] | None = None
        self._session: str | None = None

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"http://127.0.0.1:{self._port}{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                return json.loads(r.read())["value"]
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"webdriver {method} {path}: {exc.read().decode(errors='replace')[:500]}") from None

    def __enter__(self) -> Browser:
        driver, chrome = _find("chromedriver"), _find("chromium", "chromium-browser", "google-chrome")
        if not driver or not chrome:
            raise RuntimeError("chromium and chromedriver are needed (Debian: chromium chromium-driver)")
        self._proc = subprocess.Popen([driver, f"--port={self._port}"], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                if self._call("GET", "/status").get("ready"):
                    break
            except (OSError, RuntimeError):
                pass
            if time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError("chromedriver did not start")
            time.sleep(0.05)
        args = [*CHROME_ARGS, f"--user-data-dir={self._profile}", f"--window-size={self.width},{self.height}"]
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": chrome, "args": args}}}}
        self._session = self._call("POST", "/session", caps)["sessionId"]
        self._call("POST", f"/session/{self._session}/timeouts",
                   {"pageLoad": int(self.timeout * 1000), "script": int(self.timeout * 1000)})
        return self

    def __exit__(self, *exc: object) -> None:
        if self._session:
            with contextlib.suppress(OSError, RuntimeError):
                self._call("DELETE", f"/session/{self._session}")
            self._session = None
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
            self._proc = None
        shutil.rmtree(self._profile, ignore_errors=True)

    def get(self, url: str) -> None:
        self._call("POST", f"/session/{self._session}/url", {"url": url})

    def script(self, source: str, *args: Any) -> Any:
        return self._call("POST", f"/session/{self._session}/execute/sync", {"script": source, "args": list(args)})

    def cdp(self, cmd: str, params: dict[str, Any] | None = None) -> Any:
        """A Chrome DevTools command through chromedriver (e.g. ``Emulation.setEmulatedMedia``)."""
        return self._call("POST", f"/session/{self._session}/goog/cdp/execute", {"cmd": cmd, "params": params or {}})

    def screenshot(self) -> bytes:
        return base64.b64decode(self._call("GET", f"/session/{self._session}/screenshot"))


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def png_pixels(data: bytes) -> np.ndarray:
    """Decode an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes) to an (h, w, channels) array."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, width = 8, bytearray(), 0
    height = depth = ctype = interlace = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, chunk = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {ctype}, interlace {interlace}")
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(bytes(idat))
    stride = width * bpp
    out = np.zeros((height, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        ftype = raw[y * (stride + 1)]
        line = np.frombuffer(raw, dtype=np.uint8, count=stride, offset=y * (stride + 1) + 1).copy()
        if ftype == 1:
            line = line.reshape(-1, bpp).astype(np.uint64).cumsum(axis=0).astype(np.uint8).reshape(-1)
        elif ftype == 2:
            line = line + prev
        elif ftype in (3, 4):
            cur = bytearray(line.tobytes())
            up = prev.tobytes()
            for i in range(stride):
                left = cur[i - bpp] if i >= bpp else 0
                if ftype == 3:
                    cur[i] = (cur[i] + ((left + up[i]) >> 1)) & 0xFF
                else:
                    cur[i] = (cur[i] + _paeth(left, up[i], up[i - bpp] if i >= bpp else 0)) & 0xFF
            line = np.frombuffer(bytes(cur), dtype=np.uint8)
        elif ftype != 0:
            raise ValueError(f"bad PNG filter {ftype} on row {y}")
        out[y] = line
        prev = line
    return out.reshape(height, width, bpp)
