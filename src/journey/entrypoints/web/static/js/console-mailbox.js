// The local SMTP sink's mailbox: what the journey emailed, a message's text, and its
// attachments (the welcome letter PDF), fetched with the token and opened as a blob.
import { api, apiBlob, rowsOf } from "./api.js";
import { $, el, when, short, icon, notice, explain, every, requireSession } from "./ui.js";

let selected = null;
const path = (id) => `/mailbox/${encodeURIComponent(id)}`;

async function openAttachment(message, attachment, index) {
  try {
    const blob = await apiBlob(`${path(message.message_id)}/attachments/${attachment.n ?? index}`);
    const typed = blob.type ? blob : new Blob([blob], { type: attachment.content_type || "application/octet-stream" });
    const url = URL.createObjectURL(typed);
    const link = el("a", { href: url, download: attachment.filename || "attachment", class: "visually-hidden" }, "download");
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    notice(`Downloaded ${attachment.filename}.`, "ok");
  } catch (error) {
    notice(`Could not fetch the attachment. ${explain(error)}`, "error");
  }
}

function attachmentButtons(message) {
  return (message.attachments || []).map((attachment, index) => el("button", {
    type: "button",
    class: "secondary small",
    dataset: { attachment: attachment.filename || String(index) },
    onclick: (event) => { event.stopPropagation(); openAttachment(message, attachment, index); },
  }, icon("paperclip"), attachment.filename || "attachment"));
}

async function show(message) {
  selected = message.message_id;
  for (const tr of document.querySelectorAll("#messages tbody tr")) tr.classList.toggle("selected", tr.dataset.message === selected);
  const box = $("#message");
  box.hidden = false;
  box.replaceChildren(el("p", { class: "muted" }, "Loading…"));
  // One column on a narrow screen: the message opens below the list, so bring it into view.
  if (window.matchMedia("(max-width: 760px)").matches) box.scrollIntoView({ block: "start" });
  try {
    const full = { ...message, ...(await api(path(message.message_id))) };
    const header = (label, value) => (value ? [el("dt", {}, label), el("dd", {}, value)] : []);
    box.replaceChildren(
      el("h2", {}, full.subject || "(no subject)"),
      el("dl", { class: "headers" },
        ...header("To", Array.isArray(full.to) ? full.to.join(", ") : full.to),
        ...header("Date", when(full.date || full.received_at)),
        ...header("Milestone", full.milestone),
        ...header("Application", full.application_id ? el("a", { href: `/console/journeys/${encodeURIComponent(full.application_id)}` }, full.application_id) : null),
        ...header("Message-ID", el("code", {}, full.message_id))),
      (full.attachments || []).length ? el("div", { class: "attachments" }, ...attachmentButtons(full)) : null,
      el("div", { class: "body", tabindex: "0", role: "document", "aria-label": "Message text" }, full.text || "(no plain-text part)"),
    );
  } catch (error) {
    box.replaceChildren(el("p", { class: "error" }, explain(error)));
  }
}

/** Who a message went to, by name where it has one ("Ana Rojas <ana@…>" → "Ana Rojas"). */
function recipients(message) {
  const to = Array.isArray(message.to) ? message.to : String(message.to || "").split(",");
  return to.map((address) => address.trim().replace(/^"?([^"<]+?)"?\s*<[^>]*>$/, "$1")).filter(Boolean).join(", ");
}

async function load() {
  const body = $("#messages tbody");
  try {
    const messages = rowsOf(await api("/mailbox"), "messages");
    body.removeAttribute("aria-busy");
    $("#mail-count").textContent = `${messages.length} message${messages.length === 1 ? "" : "s"}`;
    body.replaceChildren(
      ...(messages.length
        ? messages.map((message) => {
            const open = el("button", { type: "button", class: "link", onclick: () => show(message) }, message.subject || "(no subject)");
            return el("tr", { class: `clickable${message.message_id === selected ? " selected" : ""}`, dataset: { message: message.message_id }, onclick: () => show(message) },
              el("td", { class: "when", title: when(message.received_at || message.date) }, short(message.received_at || message.date)),
              el("td", {},
                open,
                el("span", { class: "hint mail-meta" }, [(message.milestone || "").replace(/_/g, " "), recipients(message) && `to ${recipients(message)}`].filter(Boolean).join(" · ")),
                (message.attachments || []).length ? el("span", { class: "attachments" }, ...attachmentButtons(message)) : null));
          })
        : [el("tr", {}, el("td", { colspan: 2, class: "muted" }, "No email yet."))]),
    );
  } catch (error) {
    notice(`Could not load the mailbox. ${explain(error)}`, "error");
  }
}

if (requireSession()) {
  load();
  every(10000, load);
}
