// Plastics stock per design: a stacked bar chart (inline SVG, drawn here) with the reorder
// point, the counts, and a form to receive a batch.
import { api, rowsOf, ApiError, newIdempotencyKey } from "./api.js";
import { catalog } from "./catalog.js";
import { $, el, svg, number, when, notice, fieldError, busy, explain, every, requireSession } from "./ui.js";

const PARTS = ["available", "reserved", "consumed", "spoiled"];
let designNames = {};

/** A round step for the axis (1, 2 or 5 times a power of ten) near `raw`. */
function niceStep(raw) {
  const power = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

/**
 * The chart, drawn for the width it has (in CSS pixels, so its text stays the page's size): the
 * design's name left of its bar, or above it when the panel is narrow (a phone).
 */
function chart(levels, available) {
  const width = Math.max(Math.round(available) || 820, 280);
  const narrow = width < 560;
  const labelHeight = narrow ? 18 : 0;
  const barHeight = 22;
  const rowHeight = barHeight + 12 + labelHeight;
  const left = narrow ? 4 : 170;
  const right = 74;
  const top = 24;
  const height = top + levels.length * rowHeight + 10;
  const biggest = Math.max(1, ...levels.map((level) => PARTS.reduce((total, part) => total + (level[part] || 0), 0)));
  const step = niceStep(biggest / (narrow ? 2 : 4));
  const max = Math.ceil(biggest / step) * step;
  const scale = (value) => (value / max) * (width - left - right);
  const ticks = Array.from({ length: Math.round(max / step) + 1 }, (_, i) => i * step);
  const title = "Plastics per design: available, reserved, consumed and spoiled";
  const parts = [svg("title", {}, title)];
  parts.push(svg("g", { class: "grid" }, ...ticks.map((tick, index) => {
    const x = left + scale(tick);
    const anchor = index === 0 && narrow ? "start" : "middle";
    return svg("g", {}, svg("line", { x1: x, x2: x, y1: top - 6, y2: height - 6 }), svg("text", { x, y: 12, "text-anchor": anchor }, number(tick)));
  })));
  levels.forEach((level, index) => {
    const y = top + index * rowHeight + labelHeight;
    let x = left;
    const bars = [];
    for (const part of PARTS) {
      const value = level[part] || 0;
      const w = scale(value);
      if (w > 0) bars.push(svg("rect", { x, y, width: w, height: barHeight, class: `bar-${part}`, rx: 2 }, svg("title", {}, `${part}: ${number(value)}`)));
      x += w;
    }
    const name = designNames[level.design_code] || level.design_code;
    const label = narrow
      ? svg("text", { x: left, y: y - 5 }, name)
      : svg("text", { x: left - 10, y: y + barHeight / 2 + 4, "text-anchor": "end" }, name);
    const reorder = level.reorder_point !== undefined && level.reorder_point !== null
      ? svg("line", { class: "reorder-line", x1: left + scale(level.reorder_point), x2: left + scale(level.reorder_point), y1: y - 3, y2: y + barHeight + 3 }, svg("title", {}, `reorder point: ${level.reorder_point}`))
      : null;
    parts.push(svg("g", { "data-design": level.design_code },
      label,
      ...bars,
      reorder,
      svg("text", { x: x + 6, y: y + barHeight / 2 + 4 }, `${number(level.available)} free`)));
  });
  return svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": `${title}. The table below has the same figures.` }, ...parts);
}

let shown = [];
function drawChart() {
  const box = $("#chart");
  box.replaceChildren(shown.length ? chart(shown, box.clientWidth) : el("p", { class: "muted" }, "No plastics received yet."));
}

function table(levels) {
  return levels.map((level) => el("tr", { class: level.low ? "low" : "", dataset: { design: level.design_code } },
    el("th", { scope: "row" }, designNames[level.design_code] || level.design_code),
    ...["received", "on_hand", "reserved", "available", "consumed", "spoiled", "reorder_point"].map((key) => el("td", { class: "num" }, number(level[key])))));
}

async function load() {
  try {
    const levels = rowsOf(await api("/stock"), "levels", "stock");
    levels.sort((a, b) => String(a.design_code).localeCompare(String(b.design_code)));
    $("#chart").removeAttribute("aria-busy");
    shown = levels;
    drawChart();
    $("#levels tbody").replaceChildren(...table(levels));
    const latest = levels.map((level) => level.updated_at).filter(Boolean).sort().pop();
    $("#stock-updated").textContent = latest ? `last movement ${when(latest)}` : "";
  } catch (error) {
    notice(`Could not load the stock. ${explain(error)}`, "error");
  }
}

let receipt = { body: "", key: newIdempotencyKey() };

async function receive(event) {
  event.preventDefault();
  const form = event.target;
  const quantity = $("#quantity");
  const batch = $("#batch_ref");
  const amount = Number(quantity.value);
  const quantityProblem = Number.isInteger(amount) && amount >= 1 && amount <= 100000 ? null : "a whole number from 1 to 100,000";
  const batchProblem = /^[A-Za-z0-9_.]{1,40}$/.test(batch.value.trim()) ? null : "letters, digits, dots and underscores only";
  fieldError(quantity, quantityProblem);
  fieldError(batch, batchProblem);
  if (quantityProblem || batchProblem) return (quantityProblem ? quantity : batch).focus();
  const design = $("#design_code").value;
  const body = { quantity: amount, batch_ref: batch.value.trim() };
  const text = JSON.stringify([design, body]);
  if (receipt.body !== text) receipt = { body: text, key: newIdempotencyKey() };
  await busy(form.querySelector("button"), async () => {
    try {
      await api(`/stock/${encodeURIComponent(design)}/receipts`, { method: "POST", body, idempotencyKey: receipt.key });
      notice(`Received ${number(amount)} plastics of ${designNames[design] || design} (batch ${body.batch_ref}).`, "ok");
      form.reset();
      await load();
    } catch (error) {
      if (error instanceof ApiError && error.status === 422) {
        const fields = error.fieldErrors();
        fieldError(quantity, fields.quantity);
        fieldError(batch, fields.batch_ref);
      }
      notice(`The batch was not received. ${explain(error)}`, "error");
    }
  });
}

async function start() {
  try {
    const loaded = await catalog();
    designNames = loaded.designs;
    const codes = Object.keys(designNames).length ? Object.keys(designNames) : loaded.products.flatMap((p) => p.designs || []);
    $("#design_code").replaceChildren(...codes.map((code) => el("option", { value: code }, designNames[code] || code)));
  } catch (error) {
    notice(`Could not load the designs. ${explain(error)}`, "error");
  }
  $("#receive-form").addEventListener("submit", receive);
  let lastWidth = 0;
  new ResizeObserver(() => {
    const width = $("#chart").clientWidth;
    if (width !== lastWidth && shown.length) drawChart();
    lastWidth = width;
  }).observe($("#chart"));
  await load();
  every(5000, load);
}

if (requireSession()) start();
