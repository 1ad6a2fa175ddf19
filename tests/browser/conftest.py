"""Browser tests: `journey serve` in a subprocess with a fast outside world, driven through
Debian's chromium by Playwright (its own browser downloads are never used).

Skipped, with the reason, only when chromium is not installed; CI installs it (`.ci/run`).
Screenshots of every page visited land in `$JOURNEY_SCREENSHOT_DIR` when set, else in pytest's
temporary directory.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.browser.site import Site

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
JOURNEY = str(Path(sys.executable).with_name("journey"))

# The outside world at the speed of a test: the bureau answers at once and is asked every
# 0.6 s, a parcel travels in seconds (the carrier's durations times 1e-5), no chance returns,
# misprints or RF defects (those paths have their own tests below the browser).
FAST_WORLD = {
    "JOURNEY_WORLD_TURNAROUND_HOURS": "0",
    "JOURNEY_WORLD_POLL_MINUTES": "0.01",
    "JOURNEY_WORLD_MISPRINT_RATE": "0",
    "JOURNEY_WORLD_RF_DEFECT_RATE": "0",
    "JOURNEY_CARRIER_TIME_SCALE": "0.00001",
    "JOURNEY_CARRIER_RETURN_RATE": "0",
    "JOURNEY_SMTP_PORT": "0",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def chromium() -> str:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium; CI does)")
    return CHROMIUM


@pytest.fixture(scope="session")
def server_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the server keeps its stores (`journey.db`, `keys.db`) and its log."""
    return tmp_path_factory.mktemp("journey-serve")


@pytest.fixture(scope="session")
def server(chromium: str, server_home: Path) -> Iterator[str]:
    """`journey serve` on a free port with a temporary SQLite store; its base URL."""
    home = server_home
    port = _free_port()
    env = {
        **os.environ,
        "JOURNEY_EVENT_STORE": f"sqlite:///{home}/journey.db",
        "JOURNEY_KEY_STORE": f"sqlite:///{home}/keys.db",
        "JOURNEY_SQLITE_SYNCHRONOUS": "NORMAL",
        "JOURNEY_LOG_FORMAT": "json",
        "JOURNEY_LOG_LEVEL": "warning",
        **FAST_WORLD,
    }
    log = (home / "serve.log").open("wb")
    process = subprocess.Popen(
        [JOURNEY, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=home,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                raise AssertionError(
                    "journey serve did not become ready:\n"
                    + (home / "serve.log").read_text(errors="replace")[-4000:]
                )
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wanted = os.environ.get("JOURNEY_SCREENSHOT_DIR")
    if wanted:
        path = Path(wanted)
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
            ],
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def site(browser: object, server: str, screenshots: Path) -> Iterator[Site]:
    """A fresh browser context (its own sessionStorage) on the served site."""
    opened = Site.open(browser, server, screenshots)
    try:
        yield opened
    finally:
        opened.close()
