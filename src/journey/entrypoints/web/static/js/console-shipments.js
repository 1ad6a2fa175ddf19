// Shipments, newest first, each with its tracking history as the carrier reported it
// (updates that arrived late or twice are shown, marked as not applied).
import { api, rowsOf } from "./api.js";
import { $, el, badge, when, notice, clearNotice, explain, every, requireSession } from "./ui.js";

const query = new URLSearchParams(location.search);

function card(shipment) {
  const history = shipment.history || [];
  return el("article", { class: "panel shipment", dataset: { shipment: shipment.shipment_id } },
    el("header", {},
      el("h2", {}, el("code", {}, shipment.tracking_number || shipment.shipment_id)),
      badge(shipment.status),
      el("span", { class: "muted" }, `${shipment.carrier || ""} · ${shipment.service_level || ""}`),
      el("a", { href: `/console/journeys/${encodeURIComponent(shipment.application_id)}` }, `application ${shipment.application_id}`)),
    el("dl", { class: "facts" },
      el("dt", {}, "Card"), el("dd", {}, el("code", {}, shipment.card_id || "")),
      el("dt", {}, "Booked"), el("dd", {}, when(shipment.booked_at)),
      el("dt", {}, shipment.delivered_at ? "Delivered" : "Expected"), el("dd", {}, when(shipment.delivered_at || shipment.estimated_delivery)),
      shipment.final_reason ? el("dt", {}, "Reason") : null, shipment.final_reason ? el("dd", {}, shipment.final_reason) : null),
    el("div", { class: "table-wrap" }, el("table", { class: "data" },
      el("caption", { class: "visually-hidden" }, `Tracking history of ${shipment.tracking_number}`),
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "When"), el("th", { scope: "col" }, "Status"), el("th", { scope: "col" }, "Update"), el("th", { scope: "col" }, "Applied"))),
      el("tbody", {}, ...history.map((entry) => el("tr", { class: entry.applied === false ? "not-applied" : "" },
        el("td", {}, when(entry.occurred_at)),
        el("td", {}, String(entry.status).replace(/_/g, " ")),
        el("td", {}, el("code", {}, entry.update_id || "")),
        el("td", {}, entry.applied === false ? [el("span", { class: "badge warn" }, "not applied"), " late or repeated"] : "yes")))))));
}

async function load() {
  const box = $("#shipments");
  const id = $("#filter-application").value.trim();
  const search = new URLSearchParams();
  if (id) search.set("application_id", id);
  try {
    const shipments = rowsOf(await api(`/shipments${search.size ? `?${search}` : ""}`), "shipments");
    box.removeAttribute("aria-busy");
    box.replaceChildren(...(shipments.length ? shipments.map(card) : [el("p", { class: "muted" }, "No shipments yet.")]));
    clearNotice();
  } catch (error) {
    notice(`Could not load the shipments. ${explain(error)}`, "error");
  }
}

function start() {
  $("#filter-application").value = query.get("application_id") || "";
  $("#filters").addEventListener("submit", (event) => {
    event.preventDefault();
    const id = $("#filter-application").value.trim();
    history.replaceState(null, "", id ? `?application_id=${encodeURIComponent(id)}` : location.pathname);
    load();
  });
  load();
  every(5000, load);
}

if (requireSession()) start();
