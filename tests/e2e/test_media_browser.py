"""In a real browser (Debian's Chromium, headless) against the real server and a real
worker (the ``quancheng db_worker`` that ``quancheng serve`` starts): an officer uploads a
small video on the case's upload page (tus); the worker probes it and makes its thumbnail
and playable copy in the background; the case page then shows the thumbnail and plays
the video.

The video is an MPEG-4 part 2 AVI, which browsers cannot play, so what plays is the H.264
proxy the worker made, fetched with Range requests."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from quancheng.media.tests.samples import make
from tests.e2e.csp_guard import guarded_context
from tests.e2e.test_browser import CHROMIUM
from tests.servers import SERVE, running, server_env

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def media_site(tmp_path_factory) -> Iterator[tuple[str, int, Path]]:
    """``quancheng serve`` (which starts a ``db_worker`` beside the web server) over a fresh
    database with a case and a body camera; yields the site, the case's id and a video."""
    data = tmp_path_factory.mktemp("e2e-media")
    env = server_env(data)
    here = Path(__file__).parent
    subprocess.run([sys.executable, str(here / "seed_site.py")], env=env, check=True)  # noqa: S603
    video = make("camera.avi", data)
    seeded = subprocess.run(  # noqa: S603
        [sys.executable, str(here / "seed_media.py")],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    case_id = int(seeded.stdout.strip().splitlines()[-1])
    with running(SERVE, env, data / "server.log", "/accounts/login/") as (base, _):
        yield base, case_id, video


def test_recording_shows_its_thumbnail_and_plays(media_site):
    from playwright.sync_api import expect, sync_playwright

    base, case_id, video_file = media_site
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        context = guarded_context(browser, base_url=base, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto("/accounts/login/")
        page.fill("input[name=username]", "e2e-officer")
        page.fill("input[name=password]", "e2e-password-7")
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("heading", name="案件")).to_be_visible()

        page.goto(f"/cases/{case_id}/")
        expect(page.locator("#recordings .empty")).to_be_visible()
        page.locator("#upload-recording-link").click()
        page.locator("#upload-file").set_input_files(str(video_file))
        page.locator("#upload-device").select_option("E2E-CAM-1")
        page.locator("#upload-started-at").fill("2026-03-02T09:00:00")
        page.locator("#upload-ended-at").fill("2026-03-02T09:00:02")
        expect(page.locator("input[name=officers][value=E2E-0001]")).to_be_checked()
        page.locator("#upload-start").click()
        expect(page.locator("#upload-result")).to_be_visible()
        expect(page.locator("#upload-error")).to_be_hidden()

        # The worker probes the file and makes its thumbnail and proxy in the background;
        # until then the case page says it is being processed.
        recording = page.locator(".recording").first
        deadline = time.monotonic() + 60
        while True:
            page.goto(f"/cases/{case_id}/")
            if recording.get_attribute("data-state") == "ready":
                break
            assert time.monotonic() < deadline, "the worker did not process the recording"
            time.sleep(0.5)

        expect(recording).to_contain_text("camera.avi")
        expect(recording).to_contain_text("E2E-CAM-1")
        video = recording.locator("video")
        poster = video.get_attribute("poster")
        assert poster and poster.endswith("thumbnail.jpg")
        thumbnail = page.request.get(poster)
        assert thumbnail.ok and thumbnail.headers["content-type"] == "image/jpeg"
        shown = page.evaluate(
            """async (src) => { const img = new Image(); img.src = src; await img.decode();
                                return [img.naturalWidth, img.naturalHeight]; }""",
            poster,
        )
        assert shown == [320, 240]

        video.evaluate("v => { v.muted = true; return v.play(); }")
        page.wait_for_function(
            "v => v.readyState >= 2 && v.currentTime > 0", arg=video.element_handle()
        )
        # Seeking asks the server for a range of the proxy.
        video.evaluate("v => { v.currentTime = 1.5; }")
        page.wait_for_function(
            "v => !v.seeking && v.currentTime >= 1.5 && !v.error", arg=video.element_handle()
        )
        assert video.evaluate("v => v.duration") == pytest.approx(2.0, abs=0.2)
        browser.close()
