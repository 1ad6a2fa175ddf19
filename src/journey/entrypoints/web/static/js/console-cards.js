// The RF test bench's results for a card: the verdict and every measurement against its
// limits, drawn as a small gauge (pass band, marginal bands, the measured value).
import { api, ApiError, rowsOf } from "./api.js";
import { $, el, svg, badge, when, notice, clearNotice, explain, requireSession } from "./ui.js";

const query = new URLSearchParams(location.search);

const UNITS = [[1e9, "G"], [1e6, "M"], [1e3, "k"]];
function engineering(value, unit) {
  if (typeof value !== "number") return String(value ?? "—");
  for (const [factor, prefix] of UNITS) {
    if (Math.abs(value) >= factor) return `${(value / factor).toFixed(3)} ${prefix}${unit || ""}`;
  }
  return `${Number(value.toPrecision(4))} ${unit || ""}`.trim();
}

function limits(m) {
  if (typeof m.low === "number" && typeof m.high === "number") return `${engineering(m.low, m.units)} – ${engineering(m.high, m.units)}`;
  if (typeof m.low === "number") return `≥ ${engineering(m.low, m.units)}`;
  if (typeof m.high === "number") return `≤ ${engineering(m.high, m.units)}`;
  return m.expected !== undefined && m.expected !== null ? `= ${m.expected}` : "—";
}

/**
 * A gauge: the pass band between low and high, the value as a needle. A one-sided limit's band
 * runs to the end of the track (no lower limit: everything below the high one passes), so a
 * value far inside it is not drawn as if it sat on an edge.
 */
function gauge(measurement) {
  const { value, low, high } = measurement;
  const hasLow = typeof low === "number";
  const hasHigh = typeof high === "number";
  if (typeof value !== "number" || (!hasLow && !hasHigh)) return el("span", { class: "muted" }, "pass / fail");
  const lo = hasLow ? low : Math.min(value, high);
  const hi = hasHigh ? high : Math.max(value, low);
  const span = Math.max(hi - lo, Math.abs(value) * 0.01, Math.abs(hasLow ? low : high) * 0.1, 1e-9);
  const min = Math.min(lo - span * 0.5, value);
  const max = Math.max(hi + span * 0.5, value);
  const x = (v) => 4 + ((v - min) / (max - min)) * 292;
  const bandFrom = hasLow ? x(low) : 0;
  const bandTo = hasHigh ? x(high) : 300;
  const limitsText = hasLow && hasHigh
    ? `limits ${engineering(low, measurement.units)} to ${engineering(high, measurement.units)}`
    : hasLow ? `at least ${engineering(low, measurement.units)}` : `at most ${engineering(high, measurement.units)}`;
  const parts = [
    svg("title", {}, `${measurement.name}: ${engineering(value, measurement.units)}, ${limitsText}`),
    svg("rect", { class: "track", x: 0, y: 8, width: 300, height: 10, rx: 5 }),
    svg("rect", { class: "band", x: bandFrom, y: 8, width: Math.max(bandTo - bandFrom, 1), height: 10 }),
  ];
  if (typeof measurement.marginal_low === "number") parts.push(svg("rect", { class: "marginal", x: x(lo), y: 8, width: Math.max(x(measurement.marginal_low) - x(lo), 0), height: 10 }));
  if (typeof measurement.marginal_high === "number") parts.push(svg("rect", { class: "marginal", x: x(measurement.marginal_high), y: 8, width: Math.max(x(hi) - x(measurement.marginal_high), 0), height: 10 }));
  parts.push(svg("rect", { class: `needle ${measurement.outcome}`, x: x(value) - 1.5, y: 2, width: 3, height: 22, rx: 1 }));
  // Stretched to its column (preserveAspectRatio none): the track is drawn in its own units.
  return svg("svg", { class: "gauge", viewBox: "0 0 300 26", preserveAspectRatio: "none", role: "img", "aria-label": `${engineering(value, measurement.units)}, ${limitsText}` }, ...parts);
}

/** Every final measurement of a result, from its record (phases → attempts) or its own list. */
function measurementsOf(result) {
  const record = result.record;
  if (record && Array.isArray(record.phases)) {
    return record.phases.flatMap((phase) => {
      const attempts = phase.attempts || [];
      const last = attempts[attempts.length - 1];
      return (last ? last.measurements : []).map((m) => ({ ...m, phase: phase.name, retries: phase.retries }));
    });
  }
  return (result.measurements || []).map((m) => ({ ...m, units: m.units || m.unit }));
}

function resultPanel(result) {
  const measurements = measurementsOf(result);
  const started = result.record && result.record.started_at ? new Date(result.record.started_at * 1000).toISOString() : null;
  return el("article", { class: "panel", dataset: { card: result.card_id } },
    el("header", { class: "page-head" },
      el("h2", {}, "Card ", el("code", {}, result.card_id), " · plastic ", el("code", {}, result.plastic_serial || "")),
      el("span", {}, badge(result.verdict), result.marginal ? el("span", { class: "badge warn" }, "marginal") : null)),
    el("p", { class: "muted" }, `Station ${result.station_id || "—"} · record ${result.record_id || "—"}${started ? ` · ${when(started)}` : ""}`),
    result.failed_measurements && result.failed_measurements.length
      ? el("p", { class: "error" }, `Failed: ${result.failed_measurements.join(", ")}`)
      : null,
    measurements.length
      ? el("div", { class: "measures", role: "table", "aria-label": `Measurements of ${result.card_id}` },
          el("div", { class: "measure measures-head", role: "row" },
            el("span", { role: "columnheader" }, "Measurement"),
            el("span", { role: "columnheader" }, "Against its limits"),
            el("span", { role: "columnheader" }, "Limits"),
            el("span", { role: "columnheader", class: "value" }, "Measured")),
          ...measurements.map((m) => el("div", { class: "measure", role: "row" },
            el("span", { class: "name", role: "cell" }, m.name, m.phase ? el("span", { class: "hint" }, `${m.phase} phase${m.retries ? `, ${m.retries} retries` : ""}`) : null),
            el("span", { role: "cell" }, gauge(m)),
            el("span", { class: "limits", role: "cell" }, limits(m)),
            el("span", { class: "value", role: "cell" }, engineering(m.value, m.units), badge(m.outcome)))))
      : el("p", { class: "muted" }, "The measurements are no longer held for this card (rebuilt read model)."));
}

async function show(cardId) {
  const box = $("#results");
  box.replaceChildren(el("p", { class: "muted" }, "Loading…"));
  try {
    const answer = await api(`/cards/${encodeURIComponent(cardId)}/rf-tests`);
    const results = Array.isArray(answer) ? answer : rowsOf(answer, "results", "tests").length ? rowsOf(answer, "results", "tests") : [answer];
    box.replaceChildren(...results.map(resultPanel));
    clearNotice();
  } catch (error) {
    box.replaceChildren();
    notice(error instanceof ApiError && error.status === 404 ? `No RF test yet for card ${cardId}.` : explain(error), "error");
  }
}

function start() {
  const card = query.get("card");
  $("#card-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const id = $("#card-id").value.trim();
    if (!id) return;
    history.replaceState(null, "", `?card=${encodeURIComponent(id)}`);
    show(id);
  });
  if (card) {
    $("#card-id").value = card;
    show(card);
  }
}

if (requireSession()) start();
