"""In a real browser (Debian's Chromium, headless) against the real server: sign in, open a
case, see the finding that its start record is missing, add the record through the form,
and see the finding go; then switch the page to English."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.csp_guard import guarded_context
from tests.servers import SERVE, running, server_env

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
START_RULE = "record.required/initiation.ex_officio"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[str]:
    """``quancheng serve`` on a free port over a fresh SQLite database."""
    data = tmp_path_factory.mktemp("e2e-site")
    env = server_env(data)
    seed = Path(__file__).with_name("seed_site.py")
    subprocess.run([sys.executable, str(seed)], env=env, check=True)  # noqa: S603
    with running(SERVE, env, data / "server.log", "/accounts/login/") as (base, _):
        yield base


@pytest.fixture
def page(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        context = guarded_context(
            browser, base_url=site, locale="zh-CN", viewport={"width": 1366, "height": 768}
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
        yield page
        browser.close()


def test_adding_the_missing_start_record_clears_the_finding(page):
    from playwright.sync_api import expect

    page.goto("/")
    expect(page).to_have_url("/accounts/login/?next=/cases/")
    page.fill("input[name=username]", "e2e-officer")
    page.fill("input[name=password]", "e2e-password-7")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="案件")).to_be_visible()
    assert page.request.get("/static/web/quancheng.css").ok

    page.get_by_role("link", name="立案").click()
    page.get_by_label("案件编号").fill("皖端罚〔2026〕1号")
    page.get_by_label("案件名称").fill("无照经营")
    page.get_by_label("行政处罚").check()
    page.get_by_label("依职权").check()
    page.get_by_role("button", name="立案").click()

    expect(page.get_by_role("heading", name="皖端罚〔2026〕1号")).to_be_visible()
    initiation = page.locator("#stage-initiation")
    finding = initiation.locator(".finding", has_text=START_RULE)
    expect(finding).to_contain_text("“程序启动”阶段尚待记录：依职权启动记录。")

    initiation.get_by_label("记录类型").select_option("ex_officio_start")
    initiation.get_by_role("button", name="添加记录").click()
    expect(page.get_by_role("heading", name="添加“依职权启动记录”")).to_be_visible()
    page.get_by_label("执法事项来源").select_option(label="投诉举报")
    page.get_by_label("启动原因").fill("群众举报该店无照经营")
    page.get_by_role("button", name="保存记录").click()

    expect(page.locator(".message")).to_contain_text("已记录“依职权启动记录”。")
    expect(initiation.get_by_role("link", name="依职权启动记录")).to_be_visible()
    expect(page.locator(".finding", has_text=START_RULE)).to_have_count(0)

    page.locator("select[name=language]").select_option("en")
    page.get_by_role("button", name="切换").click()
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    expect(page.locator("#stage-initiation")).to_contain_text("Start on the agency's own authority")
