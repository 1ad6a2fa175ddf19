// The journeys list: filters (status, stuck) kept in the URL, newest change first, refreshed
// every few seconds while the tab is visible.
import { api, rowsOf } from "./api.js";
import { $, el, badge, ago, when, notice, clearNotice, explain, every, requireSession } from "./ui.js";

const PAGE = 25;
const form = $("#filters");
const query = new URLSearchParams(location.search);
let offset = Number(query.get("offset") || 0);

function filters() {
  const status = $("#filter-status").value;
  const stuck = $("#filter-stuck").checked;
  return { status, stuck };
}

function url() {
  const { status, stuck } = filters();
  const search = new URLSearchParams({ limit: String(PAGE + 1), offset: String(offset) });
  if (status) search.set("status", status);
  if (stuck) search.set("stuck", "true");
  return `/applications?${search}`;
}

function row(journey) {
  const link = el("a", { href: `/console/journeys/${encodeURIComponent(journey.application_id)}` }, el("code", {}, journey.application_id));
  const status = [badge(journey.status)];
  if (journey.stuck) status.push(" ", el("span", { class: "badge danger", title: String(journey.stuck) }, "stuck"));
  return el("tr", { dataset: { application: journey.application_id } },
    el("td", {}, link),
    el("td", {}, journey.product_code || ""),
    el("td", {}, ...status),
    el("td", {}, journey.card_last4 ? `•••• ${journey.card_last4}` : ""),
    el("td", {}, journey.tracking_number ? el("code", {}, journey.tracking_number) : ""),
    el("td", { title: when(journey.updated_at) }, ago(journey.updated_at)));
}

async function load() {
  const body = $("#journeys tbody");
  try {
    const answer = await api(url());
    const journeys = rowsOf(answer, "applications", "journeys");
    const more = journeys.length > PAGE;
    const shown = journeys.slice(0, PAGE);
    body.removeAttribute("aria-busy");
    body.replaceChildren(
      ...(shown.length ? shown.map(row) : [el("tr", {}, el("td", { colspan: 6, class: "muted" }, "No journeys match these filters."))]),
    );
    $("#prev").disabled = offset === 0;
    $("#next").disabled = !more;
    const total = typeof answer.total === "number" ? ` of ${answer.total}` : "";
    $("#page-label").textContent = shown.length ? `${offset + 1}–${offset + shown.length}${total}` : "";
    clearNotice();
  } catch (error) {
    notice(`Could not load the journeys. ${explain(error)}`, "error");
  }
}

function keepInUrl() {
  const { status, stuck } = filters();
  const search = new URLSearchParams();
  if (status) search.set("status", status);
  if (stuck) search.set("stuck", "true");
  if (offset) search.set("offset", String(offset));
  history.replaceState(null, "", `${location.pathname}${search.size ? `?${search}` : ""}`);
}

function start() {
  $("#filter-status").value = query.get("status") || "";
  $("#filter-stuck").checked = query.get("stuck") === "true";
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const id = $("#filter-id").value.trim();
    if (id) {
      location.assign(`/console/journeys/${encodeURIComponent(id)}`);
      return;
    }
    offset = 0;
    keepInUrl();
    load();
  });
  form.addEventListener("change", (event) => {
    if (event.target.id === "filter-id") return;
    offset = 0;
    keepInUrl();
    load();
  });
  $("#prev").addEventListener("click", () => { offset = Math.max(0, offset - PAGE); keepInUrl(); load(); });
  $("#next").addEventListener("click", () => { offset += PAGE; keepInUrl(); load(); });
  load();
  every(5000, load);
}

if (requireSession()) start();
