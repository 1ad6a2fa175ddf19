// One journey for operators and analysts: facts, the saga's steps (with what was undone), the
// live timeline over SSE, the outside checks, and what an operator can do about it.
import { api, ApiError, newIdempotencyKey } from "./api.js";
import { follow } from "./events.js";
import { DECISION, OPERATOR_STEPS, UNDOES, entryKind, wasWithdrawn } from "./journey-steps.js";
import { currentSession, hasRole } from "./session.js";
import { $, el, params, badge, when, short, clock, notice, explain, busy, liveState, requireSession } from "./ui.js";

const { application_id: applicationId } = params();
const base = `/applications/${encodeURIComponent(applicationId)}`;
let journey = null;
const seen = new Set();

function fact(label, value) {
  return [el("dt", {}, label), el("dd", {}, value ?? "—")];
}

function renderFacts() {
  const stuck = journey.stuck;
  const facts = [
    ...fact("Status", badge(journey.status)),
    ...fact("Product", journey.product_code),
    ...fact("Design", journey.design_code),
    ...fact("Customer", el("code", {}, journey.customer_id || "—")),
    ...fact("Card", journey.card_id ? el("a", { href: `/console/cards?card=${encodeURIComponent(journey.card_id)}` }, el("code", {}, journey.card_id), journey.card_last4 ? ` (•••• ${journey.card_last4})` : "") : null),
    ...fact("Tracking", journey.tracking_number ? el("a", { href: `/console/shipments?application_id=${encodeURIComponent(applicationId)}` }, el("code", {}, journey.tracking_number)) : null),
    ...fact("Started", when(journey.created_at)),
    ...fact("Updated", when(journey.updated_at)),
    ...fact("Outcome", journey.done ? [badge(journey.outcome || journey.status), wasWithdrawn(journey) && journey.status !== "withdrawn" ? " after a withdrawal" : ""] : "in progress"),
  ];
  $("#facts").replaceChildren(...facts);
  const banner = $("#stuck-banner");
  banner.hidden = !stuck;
  const since = (journey.timeline || []).filter((entry) => entry.type === "journey.saga.Stuck").pop();
  banner.textContent = stuck ? `Stuck${since ? ` since ${when(since.at)}` : ""} (${stuck}). The customer is waiting on us.` : "";
  document.body.dataset.status = journey.status;
}

function renderSteps() {
  const types = new Set((journey.timeline || []).map((entry) => entry.type));
  const undone = new Set(Object.entries(UNDOES).filter(([undo]) => types.has(undo)).map(([, step]) => step));
  let last = -1;
  OPERATOR_STEPS.forEach(([pattern], index) => {
    if (pattern.split("|").some((type) => types.has(type))) last = index;
  });
  $("#steps").replaceChildren(
    ...OPERATOR_STEPS.map(([pattern, label], index) => {
      const reached = pattern.split("|").some((type) => types.has(type));
      const failed = pattern === DECISION && types.has("ApplicationDeclined");
      let state = reached ? "done" : index === last + 1 && !journey.done ? "current" : "";
      if (failed) state = "failed";
      if (pattern.split("|").some((type) => undone.has(type))) state = "undone";
      let words = state === "undone" ? `${label} (undone)` : failed ? "declined" : label;
      // A referral is not a decision: the step waits for the analyst's.
      if (pattern === DECISION && types.has("ApplicationReferred")) {
        words = reached ? `${words} by an analyst` : "referred: waiting for an analyst";
      }
      return el("li", { class: state }, words);
    }),
  );
}

function timelineItem(entry, fresh) {
  const kind = entryKind(entry.type || "");
  return el("li", { class: `kind-${kind}${fresh ? " new" : ""}` },
    el("time", { datetime: entry.at, title: when(entry.at) }, clock(entry.at)),
    el("span", {}, String(entry.what || "").replace(/_/g, " ")), // milestone codes read as words
    el("span", { class: "type" }, entry.type));
}

function entryKey(entry) {
  return `${entry.at}|${entry.type}|${entry.what}`;
}

function renderTimeline() {
  const entries = journey.timeline || [];
  const list = $("#timeline");
  const items = entries.map((entry) => {
    const key = entryKey(entry);
    const fresh = seen.size > 0 && !seen.has(key);
    seen.add(key);
    return timelineItem(entry, fresh);
  });
  list.replaceChildren(...items.reverse());
  $("#timeline-count").textContent = `${entries.length} entries, newest first`;
}

function renderEvidence() {
  const evidence = journey.evidence || [];
  $("#evidence-panel").hidden = !evidence.length;
  $("#evidence tbody").replaceChildren(
    ...evidence.map((answer) => el("tr", {},
      el("td", {}, answer.service),
      el("td", {}, answer.provider),
      el("td", {}, badge(answer.verdict)),
      el("td", {}, el("code", {}, answer.outcome)),
      el("td", {}, (answer.reasons || []).join(", ")),
      el("td", { class: "when", title: when(answer.answered_at) }, short(answer.answered_at), answer.from_cache ? " (cached)" : ""))),
  );
}

function renderActions() {
  const session = currentSession();
  const box = $("#journey-actions");
  const actions = [];
  if (journey.status === "referred" && hasRole(session, ["analyst", "operator"])) {
    actions.push(el("a", { class: "button primary", href: "/console/review" }, "Decide in the review queue"));
  }
  const open = !journey.done && !["declined", "expired", "withdrawn", "active", "compensating", "compensated"].includes(journey.status);
  if (open && hasRole(session, ["operator"])) {
    const key = newIdempotencyKey();
    const button = el("button", { type: "button", class: "secondary", id: "withdraw" }, "Withdraw for the customer");
    button.addEventListener("click", () => busy(button, async () => {
      if (button.dataset.confirm !== "yes") {
        button.dataset.confirm = "yes";
        button.textContent = "Confirm withdrawal";
        button.className = "danger";
        return;
      }
      try {
        const answer = await api(`${base}/withdrawal`, { method: "POST", body: { reason: "withdrawn by an operator for the customer" }, idempotencyKey: key });
        notice("Withdrawal recorded: the journey undoes what it can.", "ok");
        await refresh(answer && answer.position);
      } catch (error) {
        notice(`The withdrawal was not recorded. ${explain(error)}`, "error");
      }
    }));
    actions.push(button);
  }
  box.replaceChildren(...actions);
}

async function refresh(waitFor) {
  const suffix = waitFor !== undefined && waitFor !== null ? `?wait_for=${encodeURIComponent(waitFor)}` : "";
  journey = await api(`${base}${suffix}`);
  renderFacts();
  renderSteps();
  renderTimeline();
  renderEvidence();
  renderActions();
}

let pending = null;
function refreshSoon() {
  if (pending) return;
  pending = setTimeout(async () => {
    pending = null;
    try {
      await refresh();
    } catch (error) {
      notice(explain(error), "error");
    }
  }, 150);
}

async function start() {
  try {
    await refresh();
  } catch (error) {
    notice(error instanceof ApiError && error.status === 404 ? `No journey ${applicationId}.` : explain(error), "error");
    return;
  }
  follow(`${base}/events`, {
    onEvent: refreshSoon,
    onState: (state) => {
      liveState($("#live"), state);
      if (state === "live") refreshSoon();
    },
  });
}

if (requireSession()) start();
