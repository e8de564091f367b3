"""Full-page screenshots of report pages in Debian's Chromium, through Playwright.

Never downloads a browser: Playwright drives /usr/bin/chromium. The page is
opened from disk with every network request refused, so a screenshot shows the
report exactly as a reviewer offline would see it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from grader.errors import GraderError

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Route

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


class BrowserUnavailable(GraderError):
    """Chromium or Playwright is missing."""


@contextmanager
def chromium(executable: str = CHROMIUM) -> Iterator[Browser]:
    """A headless Debian Chromium driven by Playwright, closed on exit."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is a test/demo dependency
        raise BrowserUnavailable("Playwright is not installed: pip install -e '.[test]'") from exc
    if not Path(executable).is_file():
        raise BrowserUnavailable(f"{executable} not found: install Debian's chromium (`make browser`)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()


def _refuse_network(route: Route) -> None:
    if route.request.url.startswith(("file:", "data:")):
        route.continue_()
    else:
        route.abort()


def screenshot(
    html_path: Path | str, png_path: Path | str, width: int = 1280, *, browser: Browser | None = None, height: int = 900
) -> Path:
    """Save a full-page PNG of a local HTML file; pass `browser` to reuse one across many pages."""
    html_path = Path(html_path).resolve()
    png_path = Path(png_path)
    if not html_path.is_file():
        raise FileNotFoundError(html_path)
    png_path.parent.mkdir(parents=True, exist_ok=True)
    if browser is None:
        with chromium() as own:
            return screenshot(html_path, png_path, width, browser=own, height=height)
    context = browser.new_context(
        viewport={"width": width, "height": height}, device_scale_factor=1, java_script_enabled=True, offline=True
    )
    try:
        page = context.new_page()
        page.route("**/*", _refuse_network)
        page.goto(html_path.as_uri(), wait_until="load")
        page.screenshot(path=str(png_path), full_page=True)
    finally:
        context.close()
    return png_path
