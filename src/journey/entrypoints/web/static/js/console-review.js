// The review queue: referred applications, oldest first, each with approve / decline and a
// reason. Analysts decide; operators can see the queue.
import { api, rowsOf, newIdempotencyKey } from "./api.js";
import { currentSession, hasRole } from "./session.js";
import { $, el, ago, when, notice, clearNotice, fieldError, busy, explain, every, requireSession } from "./ui.js";

const template = $("#review-item");
const decisionKeys = new Map(); // application -> idempotency key, so a retried click decides once

function item(entry) {
  const node = template.content.firstElementChild.cloneNode(true);
  const slot = (name) => node.querySelector(`[data-slot="${name}"]`);
  const id = entry.application_id;
  node.dataset.application = id;
  slot("link").href = `/console/journeys/${encodeURIComponent(id)}`;
  slot("application").textContent = id;
  slot("product").textContent = entry.product_code || "";
  slot("match").hidden = !entry.possible_match;
  slot("overdue").hidden = !entry.stuck;
  if (entry.stuck) {
    slot("overdue").textContent = `overdue: ${entry.stuck}`;
    slot("overdue").title = `flagged ${when(entry.stuck_since)}; the customer is waiting`;
  }
  slot("age").dataset.referredAt = entry.referred_at || "";
  slot("age").title = when(entry.referred_at);
  slot("reasons").replaceChildren(...(entry.reasons || []).map((reason) => el("li", {}, reason)));
  const textarea = node.querySelector("textarea");
  textarea.id = `reason-${id}`;
  slot("reason-label").setAttribute("for", textarea.id);
  slot("error").id = `${textarea.id}-error`;
  textarea.setAttribute("aria-describedby", slot("error").id);
  const analyst = hasRole(currentSession(), ["analyst"]);
  const form = node.querySelector("form");
  textarea.disabled = !analyst; // nothing an operator typed here could be sent
  for (const button of form.querySelectorAll("button")) {
    button.disabled = !analyst;
    button.setAttribute("aria-label", `${button.value === "approve" ? "Approve" : "Decline"} ${id}`);
  }
  if (!analyst) form.append(el("p", { class: "hint" }, "Only analysts decide referrals."));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    decide(node, entry, event.submitter);
  });
  return node;
}

async function decide(node, entry, button) {
  const textarea = node.querySelector("textarea");
  const reason = textarea.value.trim();
  if (!reason) {
    fieldError(textarea, "say why: the reason is kept with the decision");
    textarea.focus();
    return;
  }
  fieldError(textarea, null);
  const approve = button.value === "approve";
  const id = entry.application_id;
  const body = { approve, reason };
  const remembered = decisionKeys.get(id);
  const key = remembered && remembered.body === JSON.stringify(body) ? remembered.key : newIdempotencyKey();
  decisionKeys.set(id, { body: JSON.stringify(body), key });
  await busy(button, async () => {
    try {
      await api(`/applications/${encodeURIComponent(id)}/referral-decision`, { method: "POST", body, idempotencyKey: key });
      node.remove();
      const link = el("a", { href: `/console/journeys/${encodeURIComponent(id)}` }, id);
      notice([`${approve ? "Approved" : "Declined"} `, link, ". The journey goes on."], "ok");
      updateCount();
    } catch (error) {
      notice(`The decision on ${id} was not recorded. ${explain(error)}`, "error");
    }
  });
}

function updateCount() {
  const count = document.querySelectorAll("#queue article").length;
  $("#queue-count").textContent = count === 1 ? "1 waiting" : `${count} waiting`;
  if (!count) $("#queue").replaceChildren(el("div", { class: "empty" }, el("p", {}, "Nothing waiting for a decision.")));
}

async function load() {
  const box = $("#queue");
  try {
    const entries = rowsOf(await api("/review-queue"), "queue", "referrals");
    box.removeAttribute("aria-busy");
    // Keep what an analyst is typing: only add new entries and drop decided ones.
    const wanted = new Set(entries.map((entry) => entry.application_id));
    for (const article of box.querySelectorAll("article")) if (!wanted.has(article.dataset.application)) article.remove();
    const present = new Set(Array.from(box.querySelectorAll("article"), (a) => a.dataset.application));
    const empty = box.querySelector(".empty, p.muted");
    if (empty && entries.length) empty.remove();
    for (const entry of entries) if (!present.has(entry.application_id)) box.append(item(entry));
    // Kept items stay as they are (an analyst may be typing); only their age moves on.
    for (const age of box.querySelectorAll("[data-referred-at]")) age.textContent = `referred ${ago(age.dataset.referredAt)}`;
    updateCount();
  } catch (error) {
    notice(`Could not load the queue. ${explain(error)}`, "error");
  }
}

if (requireSession()) {
  load().then(clearNotice);
  every(5000, load);
}
