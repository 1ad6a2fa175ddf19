"""The table of pages: where each lives, its template, its title and the script that fills it.

One row per page keeps the navigation, the router and the tests reading the same list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Area = Literal["public", "customer", "console"]


@dataclass(frozen=True, slots=True)
class Page:
    """A page of the site. `script` names its module under static/js/ (None: no script);
    `nav` is the label in its area's navigation (None: not listed there)."""

    path: str
    template: str
    title: str
    area: Area
    script: str | None
    nav: str | None = None
    roles: tuple[str, ...] = ()  # who may use it (the API enforces; the page says so early)


PAGES: tuple[Page, ...] = (
    Page("/", "index.html", "Customer Journey", "public", None),
    Page("/login", "login.html", "Sign in", "public", "login.js"),
    # -- the customer's pages ------------------------------------------------------------------
    Page("/my", "my/home.html", "My cards", "customer", "my-home.js", "My cards", ("customer",)),
    Page(
        "/my/apply",
        "my/apply.html",
        "Apply for a card",
        "customer",
        "my-apply.js",
        "Apply",
        ("customer",),
    ),
    Page(
        "/my/applications/{application_id}",
        "my/application.html",
        "My application",
        "customer",
        "my-application.js",
        None,
        ("customer",),
    ),
    # -- the operators' and analysts' console -------------------------------------------------
    Page(
        "/console",
        "console/journeys.html",
        "Journeys",
        "console",
        "console-journeys.js",
        "Journeys",
        ("operator", "analyst"),
    ),
    Page(
        "/console/journeys/{application_id}",
        "console/journey.html",
        "Journey",
        "console",
        "console-journey.js",
        None,
        ("operator", "analyst"),
    ),
    Page(
        "/console/review",
        "console/review.html",
        "Review queue",
        "console",
        "console-review.js",
        "Review queue",
        ("analyst", "operator"),
    ),
    Page(
        "/console/stock",
        "console/stock.html",
        "Plastics stock",
        "console",
        "console-stock.js",
        "Stock",
        ("operator",),
    ),
    Page(
        "/console/shipments",
        "console/shipments.html",
        "Shipments",
        "console",
        "console-shipments.js",
        "Shipments",
        ("operator",),
    ),
    Page(
        "/console/cards",
        "console/cards.html",
        "RF test bench",
        "console",
        "console-cards.js",
        "Test bench",
        ("operator",),
    ),
    Page(
        "/console/dead-letters",
        "console/dead_letters.html",
        "Dead letters",
        "console",
        "console-dead-letters.js",
        "Dead letters",
        ("operator",),
    ),
    Page(
        "/console/mailbox",
        "console/mailbox.html",
        "Mailbox",
        "console",
        "console-mailbox.js",
        "Mailbox",
        ("operator",),
    ),
)


def navigation(area: Area) -> list[Page]:
    """The pages listed in an area's navigation, in order."""
    return [page for page in PAGES if page.area == area and page.nav is not None]
