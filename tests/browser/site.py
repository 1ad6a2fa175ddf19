"""The site as a test uses it: one browser context on `journey serve`, signing in, going to
pages, taking screenshots, and a JSON client for setting the scene through the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

# Chromium reports a fetch answered 4xx/5xx as a console error; the pages handle those
# answers themselves, so only script errors count as failures.
_EXPECTED = ("Failed to load resource",)

# Every visible form control must have a name a screen reader can say.
UNLABELLED = """() => Array.from(document.querySelectorAll('input, select, textarea, button'))
  .filter((node) => node.type !== 'hidden' && node.offsetParent !== null)
  .filter((node) => {
    if (node.getAttribute('aria-label') || node.getAttribute('aria-labelledby')) return false;
    if (node.tagName === 'BUTTON') return !node.textContent.trim();
    return !(node.labels && node.labels.length);
  })
  .map((node) => node.outerHTML.slice(0, 120))"""


@dataclass
class Site:
    """A browser context on the site; `page` is Playwright's page."""

    base: str
    context: Any
    page: Any
    screenshots: Path
    errors: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, browser: Any, base: str, screenshots: Path) -> Site:
        context = browser.new_context(
            base_url=base,
            viewport={"width": 1280, "height": 900},
            locale="en-GB",
            timezone_id="UTC",
            accept_downloads=True,
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        site = cls(base, context, page, screenshots)
        page.on("pageerror", lambda error: site.errors.append(f"page error: {error}"))
        page.on(
            "console",
            lambda message: (
                site.errors.append(f"console: {message.text}")
                if message.type == "error" and not message.text.startswith(_EXPECTED)
                else None
            ),
        )
        return site

    def close(self) -> None:
        self.context.close()

    def go(self, path: str) -> Any:
        self.page.goto(path)
        return self.page

    def wait_for_path(self, path: str) -> None:
        """Until the page is at `path` (a glob like `**/my` would match `/login?next=/my`)."""
        self.page.wait_for_url(lambda url: url.startswith(self.base + path))

    def shot(self, name: str) -> Path:
        """A full-page screenshot, for a person to look at."""
        path = self.screenshots / f"{name}.png"
        self.page.wait_for_timeout(150)  # let the last refresh paint
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def unlabelled(self) -> list[str]:
        return list(self.page.evaluate(UNLABELLED))

    # -- signing in ---------------------------------------------------------------------------
    def sign_in_as_customer(self, country: str, national_id: str, then: str = "/my") -> None:
        page = self.go(f"/login?next={then}")
        page.get_by_label("A customer").check()
        page.get_by_label("Country").select_option(country)
        page.get_by_label("National id").fill(national_id)
        page.get_by_role("button", name="Sign in").click()
        self.wait_for_path(then)

    def sign_in_as(self, role: str, subject: str, then: str) -> None:
        page = self.go(f"/login?next={then}")
        page.get_by_label({"operator": "An operator", "analyst": "An analyst"}[role]).check()
        page.get_by_label("User name").fill(subject)
        page.get_by_role("button", name="Sign in").click()
        self.wait_for_path(then)

    # -- the API, for setting a scene ---------------------------------------------------------
    def client(self, **who: str) -> httpx.Client:
        """A JSON client with a development token for `who` (role and subject, or a
        customer's country and national_id)."""
        token = httpx.post(f"{self.base}/auth/dev-token", json=who, timeout=10)
        token.raise_for_status()
        return httpx.Client(
            base_url=self.base,
            headers={"Authorization": f"Bearer {token.json()['access_token']}"},
            timeout=15,
        )
