"""Fixtures for the rendering tests: parsed pages, and Debian's Chromium through Playwright.

Browser tests never skip silently: without /usr/bin/chromium they fail (`make browser`
installs it). Set GRADER_SKIP_BROWSER=1 to skip them on a machine without it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from bs4 import BeautifulSoup

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route

#: Registered before any page content runs: records every CSP violation the page reports.
CSP_LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push({directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample || ''});
});
"""


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


# Module scope, not session: Playwright's sync API keeps an event loop running in the main
# thread while it is open, which would break later tests that start one of their own.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if os.environ.get("GRADER_SKIP_BROWSER") == "1":
        pytest.skip("GRADER_SKIP_BROWSER=1")
    from grader.rendering.screenshots import chromium

    with chromium() as launched:
        yield launched


@dataclass
class LoadedPage:
    """A page opened from disk, with everything it tried to do recorded."""

    page: Page
    url: str
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    #: Requests that got past the CSP to the network layer (where the router refuses all but local files).
    requests: list[str] = field(default_factory=list)
    #: Requests Chromium itself refused because of the CSP.
    csp_blocked: list[str] = field(default_factory=list)

    def violations(self) -> list[dict[str, Any]]:
        return list(self.page.evaluate("window.__csp || []"))

    def pwned(self) -> Any:
        return self.page.evaluate("window.__pwned")

    @property
    def outside_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(("file:", "data:"))]

    def route(self, route: Route) -> None:
        self.requests.append(route.request.url)
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            route.abort()


@pytest.fixture
def open_page(browser: Browser, tmp_path: Path) -> Iterator[Callable[..., LoadedPage]]:
    """Write HTML to disk and open it in a fresh context (1280x800), recording console, errors and requests."""
    contexts = []

    def _open(html: str, name: str = "page.html", *, height: int = 800) -> LoadedPage:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, "utf-8")
        context = browser.new_context(viewport={"width": 1280, "height": height})
        contexts.append(context)
        page = context.new_page()
        loaded = LoadedPage(page=page, url=path.as_uri())
        page.on("console", lambda message: loaded.console.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: loaded.errors.append(str(error)))
        page.on("dialog", lambda dialog: (loaded.dialogs.append(dialog.message), dialog.dismiss()))
        page.on(
            "requestfailed",
            lambda request: loaded.csp_blocked.append(request.url) if request.failure == "csp" else None,
        )
        page.add_init_script(CSP_LISTENER)
        page.route("**/*", loaded.route)
        page.goto(loaded.url, wait_until="load")
        return loaded

    yield _open
    for context in contexts:
        context.close()
