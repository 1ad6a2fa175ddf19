"""The pages' shells and static files, rendered without the platform behind them."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from importlib import resources

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from journey.entrypoints.web import web_router
from journey.entrypoints.web.pages import PAGES, Page

STATIC = resources.files("journey.entrypoints.web").joinpath("static")


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    app.include_router(web_router())
    return TestClient(app)


def _url(page: Page) -> str:
    return page.path.replace("{application_id}", "app-123").replace("{card_id}", "app-123-c0")


class _Controls(HTMLParser):
    """Collects form controls, labels and scripts of a page (outside <template> elements,
    whose controls are labelled when a script clones them)."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.labels: set[str] = set()
        self.scripts: list[dict[str, str | None]] = []
        self.inline_handlers: list[str] = []
        self.styled: list[str] = []
        self.headings: list[str] = []
        self._in_template = 0
        self._in_label = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "template":
            self._in_template += 1
        if any(name.startswith("on") for name in found):
            self.inline_handlers.append(tag)
        if "style" in found:
            self.styled.append(tag)
        if tag == "script":
            self.scripts.append(found)
        if tag == "h1":
            self.headings.append(tag)
        if self._in_template:
            return
        if tag == "label":
            self._in_label += 1
            if found.get("for"):
                self.labels.add(str(found["for"]))
        if tag in ("input", "select", "textarea") and found.get("type") != "hidden":
            self.controls.append({**found, "wrapped": "yes" if self._in_label else None})

    def handle_endtag(self, tag: str) -> None:
        if tag == "template":
            self._in_template -= 1
        if tag == "label" and not self._in_template:
            self._in_label -= 1


def _parse(html: str) -> _Controls:
    parser = _Controls()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.path)
def test_every_page_renders_with_its_title_one_heading_and_its_own_script(
    client: TestClient, page: Page
) -> None:
    answer = client.get(_url(page))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    html = answer.text
    assert f"<title>{page.title} · Customer Journey</title>" in html
    parsed = _parse(html)
    assert len(parsed.headings) == 1, "one h1 per page"
    if page.script:
        sources = [script.get("src") or "" for script in parsed.scripts]
        assert any(src.startswith(f"/static/web/js/{page.script}?v=") for src in sources)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.path)
def test_no_page_runs_inline_code_and_each_says_so_in_its_security_policy(
    client: TestClient, page: Page
) -> None:
    answer = client.get(_url(page))
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    parsed = _parse(answer.text)
    assert all(script.get("src") for script in parsed.scripts), "no inline <script>"
    assert parsed.inline_handlers == [], "no on* attributes"
    assert parsed.styled == [], "no style attributes (style-src 'self')"
    assert answer.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.path)
def test_every_form_control_has_a_label(client: TestClient, page: Page) -> None:
    parsed = _parse(client.get(_url(page)).text)
    unlabelled = [
        control
        for control in parsed.controls
        if control.get("id") not in parsed.labels
        and not control.get("aria-label")
        and not control.get("wrapped")
    ]
    assert unlabelled == []


def test_the_console_and_the_customer_pages_each_have_their_own_navigation(
    client: TestClient,
) -> None:
    console = client.get("/console/stock").text
    assert 'href="/console/review"' in console
    assert 'aria-current="page"' in console.split('href="/console/stock"')[1][:40]
    assert 'href="/my/apply"' not in console
    mine = client.get("/my").text
    assert 'href="/my/apply"' in mine
    assert 'href="/console"' not in mine


def test_the_path_parameters_reach_the_page_as_data(client: TestClient) -> None:
    html = client.get("/console/journeys/app-42_x.y").text
    assert 'data-params=\'{"application_id": "app-42_x.y"}\'' in html


@pytest.mark.parametrize("strange", ["a%20b", "a%3Cb%3E", "a%22b", "x" * 101])
def test_ids_that_are_not_ours_are_not_pages(client: TestClient, strange: str) -> None:
    assert client.get(f"/my/applications/{strange}").status_code == 404


def test_static_files_are_served_with_their_type_and_revalidated_by_hash(
    client: TestClient,
) -> None:
    answer = client.get("/static/web/css/site.css")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/css; charset=utf-8"
    assert answer.headers["cache-control"] == "no-cache"
    etag = answer.headers["etag"]
    again = client.get("/static/web/css/site.css", headers={"If-None-Match": etag})
    assert again.status_code == 304
    script = client.get("/static/web/js/api.js")
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert script.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "path",
    ["../pages.py", "js/../../router.py", ".hidden.js", "js/missing.js", "css", "js/api.py"],
)
def test_nothing_outside_the_static_files_is_served(client: TestClient, path: str) -> None:
    assert client.get(f"/static/web/{path}").status_code == 404


def test_every_module_a_script_imports_is_shipped() -> None:
    scripts = STATIC.joinpath("js")
    names = {entry.name for entry in scripts.iterdir() if entry.name.endswith(".js")}
    for page in PAGES:
        assert page.script is None or page.script in names, page.script
    for name in names:
        source = scripts.joinpath(name).read_text()
        for imported in re.findall(r'from "\./([\w.-]+)"', source):
            assert imported in names, f"{name} imports {imported}"
