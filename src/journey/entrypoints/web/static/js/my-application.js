// One application as its customer follows it: progress (live over SSE), the offer and the
// agreement to accept, the parcel's tracking, and the card's activation.
import { api, ApiError, rowsOf, newIdempotencyKey } from "./api.js";
import { follow } from "./events.js";
import { productName } from "./catalog.js";
import { CUSTOMER_STEPS, customerProgress, customerStatus, wasWithdrawn } from "./journey-steps.js";
import { $, el, params, notice, clearNotice, fieldError, busy, explain, money, percent, when, timeEl, liveState, requireSession } from "./ui.js";

const { application_id: applicationId } = params();
const base = `/applications/${encodeURIComponent(applicationId)}`;
const ENDED = new Set(["declined", "expired", "withdrawn", "compensated", "active"]);
let journey = null;
let offerShown = false;
let refreshing = null;
const keys = { accept: newIdempotencyKey(), activate: newIdempotencyKey(), withdraw: newIdempotencyKey() };

const pick = (object, ...names) => names.map((name) => object && object[name]).find((value) => value !== undefined && value !== null);

function renderProgress() {
  const { done, failed } = customerProgress(journey.status, journey.timeline || []);
  const withdrawn = wasWithdrawn(journey); // the customer's choice: nothing failed, nothing is next
  $("#progress").replaceChildren(
    ...CUSTOMER_STEPS.map((label, index) => {
      let state = index < done ? "done" : index === done && !withdrawn ? "current" : "";
      if (failed && !withdrawn && index === done) state = "failed";
      const item = el("li", { class: state }, label);
      if (state === "current") item.setAttribute("aria-current", "step");
      return item;
    }),
  );
  $("#status-line").textContent = journey.stuck && !ENDED.has(journey.status) && !wasWithdrawn(journey)
    ? "This is taking longer than usual; our team has been told and is on it."
    : customerStatus(journey).words;
}

async function renderOffer() {
  const panel = $("#offer-panel");
  if (journey.status !== "offered") {
    panel.hidden = true;
    return;
  }
  if (offerShown) return;
  const offer = await api(`${base}/offer`);
  const terms = offer.terms || offer;
  const currency = pick(terms, "currency");
  const rows = [
    ["Credit limit", money(pick(terms, "credit_limit", "limit"), currency)],
    ["Interest (APR)", percent(pick(terms, "apr_bps"))],
    ["Annual fee", pick(terms, "annual_fee", "fee") ? money(pick(terms, "annual_fee", "fee"), currency) : "none"],
    ["Offer valid until", when(pick(offer, "expires_at", "offer_expires_at"))],
  ];
  $("#offer-terms").replaceChildren(...rows.map(([label, value]) => el("div", {}, el("dt", {}, label), el("dd", {}, value))));
  const agreement = offer.agreement || offer;
  const version = pick(agreement, "text_version", "version");
  const hash = pick(agreement, "text_hash", "sha256", "hash");
  $("#agreement-version").textContent = version || "";
  $("#agreement-hash").textContent = hash || "";
  $("#agreement-text").textContent = pick(agreement, "agreement_text", "text") || "";
  panel.dataset.version = version || "";
  panel.dataset.hash = hash || "";
  panel.hidden = false;
  offerShown = true;
}

async function renderShipment() {
  const panel = $("#shipment-panel");
  if (!["shipping", "delivered", "returned", "active"].includes(journey.status) && !journey.tracking_number) {
    panel.hidden = true;
    return;
  }
  const shipments = rowsOf(await api(`/shipments?application_id=${encodeURIComponent(applicationId)}`), "shipments");
  const shipment = shipments[0];
  if (!shipment) return;
  $("#shipment-heading").textContent = shipment.status === "delivered" ? "Delivered" : shipment.final ? "Delivery" : "On its way";
  const parts = [`${shipment.carrier || "The courier"} · tracking number `, el("code", {}, shipment.tracking_number || "")];
  if (shipment.estimated_delivery && !shipment.final) parts.push(` · expected ${when(shipment.estimated_delivery)}`);
  $("#shipment-summary").replaceChildren(...parts);
  const history = (shipment.history || []).filter((entry) => entry.applied !== false);
  $("#tracking").replaceChildren(
    ...history.map((entry) => el("li", {}, String(entry.status).replace(/_/g, " "), timeEl(entry.occurred_at))),
  );
  panel.hidden = false;
}

function renderActions() {
  const withdrawn = wasWithdrawn(journey);
  const delivered = journey.status === "delivered" && !withdrawn;
  $("#activation-panel").hidden = !delivered;
  if (delivered) $("#activation-card").textContent = journey.card_last4 ? `•••• ${journey.card_last4}` : "";
  $("#withdraw-panel").hidden = withdrawn || ENDED.has(journey.status) || journey.status === "compensating";
}

async function refresh(waitFor = null) {
  const suffix = waitFor !== null ? `?wait_for=${encodeURIComponent(waitFor)}` : "";
  journey = await api(`${base}${suffix}`);
  $("#product-name").textContent = await productName(journey.product_code);
  document.title = `${$("#product-name").textContent} · Customer Journey`;
  document.body.dataset.status = journey.status;
  renderProgress();
  renderActions();
  await Promise.all([
    renderOffer().catch((error) => notice(`Could not load your offer. ${explain(error)}`, "error")),
    renderShipment().catch(() => {}),
  ]);
}

/** Coalesce bursts of events into one re-read of the journey. */
function refreshSoon() {
  if (refreshing) return;
  refreshing = setTimeout(async () => {
    refreshing = null;
    try {
      await refresh();
    } catch (error) {
      notice(explain(error), "error");
    }
  }, 150);
}

async function accept(event) {
  event.preventDefault();
  const box = $("#agree");
  if (!box.checked) {
    fieldError(box, "tick the box to accept the agreement");
    box.focus();
    return;
  }
  fieldError(box, null);
  const panel = $("#offer-panel");
  await busy($("#accept"), async () => {
    try {
      const answer = await api(`${base}/acceptance`, {
        method: "POST",
        body: { text_version: panel.dataset.version, text_hash: panel.dataset.hash, channel: "web" },
        idempotencyKey: keys.accept,
      });
      panel.hidden = true;
      notice("Thank you: your agreement is signed. We are making your card.", "ok");
      await refresh(answer && answer.position !== undefined ? answer.position : null);
    } catch (error) {
      notice(`Your acceptance was not recorded. ${explain(error)}`, "error");
    }
  });
}

async function activate() {
  await busy($("#activate"), async () => {
    try {
      const answer = await api(`/cards/${encodeURIComponent(journey.card_id)}/activation`, { method: "POST", body: {}, idempotencyKey: keys.activate });
      notice("Your card is active. Enjoy it!", "ok");
      await refresh(answer && answer.position !== undefined ? answer.position : null);
    } catch (error) {
      notice(`Your card was not activated. ${explain(error)}`, "error");
    }
  });
}

const WITHDRAW_TEXT = "You can withdraw this application until the card is activated; any fee is refunded.";
let confirming = false;

/** The withdrawal asks once more, saying what it undoes; "No, keep it" takes it back. */
function confirmWithdrawal(asking) {
  confirming = asking;
  const button = $("#withdraw");
  button.textContent = asking ? "Yes, withdraw it" : "Withdraw my application";
  button.className = asking ? "danger" : "secondary";
  $("#keep").hidden = !asking;
  const card = Boolean(journey && journey.card_id);
  $("#withdraw-text").textContent = !asking
    ? WITHDRAW_TEXT
    : card
      ? "Withdraw for good? Your card will be cancelled and any fee refunded."
      : "Withdraw for good? Nothing more will happen with this application.";
}

async function withdraw() {
  const button = $("#withdraw");
  if (!confirming) {
    confirmWithdrawal(true);
    return;
  }
  await busy(button, async () => {
    try {
      const answer = await api(`${base}/withdrawal`, { method: "POST", body: { reason: "withdrawn by the customer" }, idempotencyKey: keys.withdraw });
      notice("Your application is withdrawn.", "ok");
      await refresh(answer && answer.position !== undefined ? answer.position : null);
    } catch (error) {
      notice(`Your application was not withdrawn. ${explain(error)}`, "error");
    }
  });
}

async function start() {
  $("#accept-form").addEventListener("submit", accept);
  $("#activate").addEventListener("click", activate);
  $("#withdraw").addEventListener("click", withdraw);
  $("#keep").addEventListener("click", () => {
    confirmWithdrawal(false);
    $("#withdraw").focus();
  });
  const waitFor = new URLSearchParams(location.search).get("wait_for");
  try {
    await refresh(waitFor);
    clearNotice();
  } catch (error) {
    $("#status-line").textContent = "";
    notice(error instanceof ApiError && error.status === 404 ? "We cannot find this application." : explain(error), "error");
    return;
  }
  follow(`${base}/events`, {
    onEvent: refreshSoon,
    onState: (state, status) => {
      liveState($("#live"), state, state === "live" ? "live updates" : null);
      if (state === "live") refreshSoon(); // catch anything between the first read and the stream
      if (state === "error" && status) liveState($("#live"), "error", "live updates unavailable");
    },
  });
}

if (requireSession()) start();
