"""In a real browser against the real server: upload a recording through the case page's
"Upload a recording" form (the plain-JS tus client), and pause half-way then resume it."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from quancheng.uploads.tests.live import db, live_server
from tests.e2e.csp_guard import guarded_context

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[SimpleNamespace]:
    with live_server(tmp_path_factory.mktemp("upload-site")) as running:
        yield running


@pytest.fixture
def page(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        context = guarded_context(
            browser, base_url=site.base, locale="en-GB", viewport={"width": 1366, "height": 768}
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto("/accounts/login/")
        page.fill("input[name=username]", site.username)
        page.fill("input[name=password]", site.password)
        page.locator("button[type=submit]").last.click()
        page.wait_for_url("**/cases/")
        yield page
        browser.close()


def fill_form(page, site, path, started="2026-03-02T09:00:00", ended="2026-03-02T09:10:00"):
    page.goto(f"/cases/{site.case}/")
    page.click("#upload-recording-link")
    page.set_input_files("#upload-file", str(path))
    page.select_option("#upload-device", "TUS-CAM-1")
    page.fill("#upload-started-at", started)
    page.fill("#upload-ended-at", ended)
    page.fill("#upload-place", "合肥市包河区某街")


def stored(site, name):
    with db(site) as conn:
        return conn.execute(
            "SELECT r.sha256, r.size, r.started_at, u.state, (SELECT count(*) FROM uploads_upload"
            " v WHERE v.metadata LIKE '%' || ? || '%') FROM media_recording r"
            " JOIN uploads_upload u ON u.recording_id = r.id WHERE r.file_name = ?",
            (name, name),
        ).fetchone()


def test_upload_from_the_case_page(page, site, tmp_path):
    from playwright.sync_api import expect

    data = os.urandom(3 * 1024 * 1024 + 77)
    path = tmp_path / "browser-clip.mp4"
    path.write_bytes(data)
    fill_form(page, site, path)
    page.evaluate("document.getElementById('upload-form').dataset.chunkSize = '1048576'")
    page.click("#upload-start")
    expect(page.locator("#upload-result")).to_be_visible()
    expect(page.locator("#upload-status")).to_contain_text("3.0 MiB")
    sha, size, started, state, uploads = stored(site, "browser-clip.mp4")
    assert (sha, size, state, uploads) == (
        hashlib.sha256(data).hexdigest(),
        len(data),
        "completed",
        1,
    )
    assert started.startswith("2026-03-02 01:00:00")  # 09:00 in China, stored in UTC


def test_pause_half_way_and_resume(page, site, tmp_path):
    from playwright.sync_api import expect

    data = os.urandom(2 * 1024 * 1024)
    path = tmp_path / "paused-clip.mp4"
    path.write_bytes(data)
    fill_form(page, site, path)
    page.evaluate("document.getElementById('upload-form').dataset.chunkSize = '262144'")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 1_000_000},
    )
    page.click("#upload-start")
    # A function, not an expression: Playwright would eval() an expression in the page,
    # which the Content-Security-Policy (script-src 'self', no 'unsafe-eval') refuses.
    page.wait_for_function("() => document.getElementById('upload-progress').value >= 25")
    page.click("#upload-pause")
    expect(page.locator("#upload-status")).to_contain_text("暂停")
    with db(site) as conn:
        offset, state = conn.execute(
            "SELECT offset, state FROM uploads_upload WHERE metadata LIKE '%paused-clip%'"
        ).fetchone()
    assert 0 < offset < len(data) and state == "receiving"

    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    page.click("#upload-start")  # the same file: goes on where it stopped
    expect(page.locator("#upload-result")).to_be_visible()
    sha, size, _, state, uploads = stored(site, "paused-clip.mp4")
    assert (sha, state, uploads) == (hashlib.sha256(data).hexdigest(), "completed", 1)
