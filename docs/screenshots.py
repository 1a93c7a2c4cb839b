"""Screenshots of the Temporal Web UI showing encrypted calls decoded by the codec server.

A one-off for the README, not part of the tests. With the local stack running
(`callengine up`) and at least one call made (`callengine call`):

    .venv/bin/pip install selenium          # plus Chromium: apt-get install chromium chromium-driver
    .venv/bin/python docs/screenshots.py [--workflow-id call-CA…]

It writes docs/img/webui-calls.png (calls filtered by search attributes) and
docs/img/webui-call.png (one call, input and result decoded), and checks that
the call page shows the decoded caller number, i.e. that the UI really went
through the codec server.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import quote

from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from callengine.settings import Settings  # noqa: E402
from callengine.temporal import connect  # noqa: E402

OUT = ROOT / "docs" / "img"
QUERY = "CustomerId = 'C1001' AND Intent = 'order_status' AND Outcome = 'resolved'"


async def newest_call(settings: Settings) -> str:
    """The newest finished call that the list screenshot's query finds."""
    client = await connect(settings)
    async for wf in client.list_workflows(QUERY + " AND ExecutionStatus = 'Completed'", limit=1):
        return wf.id
    raise SystemExit(f"no call matches {QUERY!r}: place one with `callengine call` first")


def browser(width: int, height: int) -> webdriver.Chrome:
    """Headless Chromium (the distribution's, with its chromedriver when installed)."""
    opts = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", f"--window-size={width},{height}"):
        opts.add_argument(arg)
    opts.binary_location = shutil.which("chromium") or shutil.which("google-chrome") or ""
    driver = shutil.which("chromedriver")
    return webdriver.Chrome(options=opts, service=Service(driver) if driver else None)


def wait_for_text(driver: webdriver.Chrome, needles: list[str], timeout_s: float = 30) -> None:
    """Wait until the rendered page shows every needle (the UI fills itself in asynchronously)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        text = driver.find_element("tag name", "body").text
        if all(n in text for n in needles):
            return
        time.sleep(0.5)
    raise SystemExit(f"the page never showed {needles}; is the stack up and the codec server reachable?")


def save(driver: webdriver.Chrome, name: str) -> None:
    """Save a palette PNG: a fraction of the size of a full-colour one, and as legible."""
    OUT.mkdir(parents=True, exist_ok=True)
    raw = OUT / f".{name}.raw.png"
    driver.save_screenshot(str(raw))
    Image.open(raw).convert("RGB").quantize(colors=128).save(OUT / name, optimize=True)
    raw.unlink()
    print(f"wrote {OUT / name} ({(OUT / name).stat().st_size // 1024} KiB)")


def main() -> None:
    """Take both screenshots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workflow-id", help="the call to show (default: the newest matching call)")
    args = parser.parse_args()
    settings = Settings.from_env()
    wf_id = args.workflow_id or asyncio.run(newest_call(settings))
    ui = f"{settings.temporal_ui_url}/namespaces/{settings.temporal_namespace}"

    driver = browser(1400, 820)
    try:
        driver.get(f"{ui}/workflows?query={quote(QUERY)}")
        wait_for_text(driver, [wf_id])
        time.sleep(1)  # let the row counts and badges settle
        save(driver, "webui-calls.png")

        driver.set_window_size(1400, 1300)
        driver.get(f"{ui}/workflows/{wf_id}")
        # The input holds the caller ID: readable only if the UI decoded it through the codec server.
        wait_for_text(driver, ["Input", "caller_number", "+14155550101"])
        time.sleep(1)
        save(driver, "webui-call.png")
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
