// My cards: the signed-in customer's applications, each linking to its live status.
import { api, rowsOf } from "./api.js";
import { catalog } from "./catalog.js";
import { customerStatus } from "./journey-steps.js";
import { $, el, badge, when, notice, explain, requireSession } from "./ui.js";

async function show() {
  const box = $("#applications");
  try {
    const [answer, { products }] = await Promise.all([api("/applications"), catalog().catch(() => ({ products: [] }))]);
    const journeys = rowsOf(answer, "applications", "journeys");
    box.removeAttribute("aria-busy");
    if (!journeys.length) {
      box.replaceChildren(
        el("div", { class: "empty" },
          el("h2", {}, "No cards yet"),
          el("p", { class: "muted" }, "See which cards you qualify for in under a minute."),
          el("a", { class: "button primary", href: "/my/apply" }, "Apply for a card")),
      );
      return;
    }
    journeys.sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
    box.replaceChildren(
      ...journeys.map((journey) => {
        const product = products.find((p) => p.code === journey.product_code);
        const { label, words } = customerStatus(journey, "list");
        return el("a", { class: "application-card", href: `/my/applications/${encodeURIComponent(journey.application_id)}` },
          el("div", { class: `plastic design-${journey.design_code || "classic-blue"}`, role: "img", "aria-label": `${journey.design_code || "card"} design` }),
          el("div", {},
            el("h3", {}, product ? product.name : journey.product_code || "Card", journey.card_last4 ? ` •••• ${journey.card_last4}` : ""),
            el("p", {}, badge(label)),
            el("p", { class: "muted" }, words),
            el("p", { class: "hint" }, `Applied ${when(journey.created_at)}`)),
        );
      }),
    );
  } catch (error) {
    box.removeAttribute("aria-busy");
    box.replaceChildren();
    notice(`Could not load your applications. ${explain(error)}`, "error");
  }
}

if (requireSession()) show();
