// The dashboard page: polls the results every two seconds and redraws; no inline script, no third-party code.
"use strict";
const params = new URLSearchParams(location.search);
const token = params.get("token");
const withToken = (url) => token ? url + (url.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(token) : url;
let selected = params.get("id");
let tick = 0;
let drawn = "";   // what the charts show: redrawn only when an epoch ends, so an open page costs the training little

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text === null || text === undefined ? "-" : String(text);
  if (className) td.className = className;
  return td;
}

async function json(url) {
  const response = await fetch(withToken(url), { cache: "no-store" });
  if (!response.ok) throw new Error(url + ": " + response.status);
  return response.json();
}

async function refreshList() {
  const results = await json("/api/results");
  const body = document.querySelector("#results tbody");
  body.replaceChildren();
  for (const r of results) {
    const row = body.insertRow();
    const name = cell(row, r.name);
    name.replaceChildren();
    const link = document.createElement("a");
    link.textContent = r.name;
    link.dataset.id = r.id;
    link.addEventListener("click", () => { selected = String(r.id); refresh(); });
    name.append(link);
    cell(row, r.unreadable ? "unreadable" : r.kind, r.unreadable ? "status-unreadable" : "");
    cell(row, r.tasks); cell(row, r.finished); cell(row, r.running); cell(row, r.report ? "yes" : "no");
  }
}

async function refreshDetail() {
  const section = document.getElementById("detail");
  if (selected === null) { section.hidden = true; return; }
  const d = await json("/api/results/" + selected);
  section.hidden = false;
  document.getElementById("title").textContent = d.name + " (" + (d.kind || "unreadable") + ")";
  const unreadable = document.getElementById("unreadable");
  unreadable.hidden = !d.unreadable;
  unreadable.textContent = d.unreadable ? "unreadable: " + d.unreadable : "";
  const report = document.getElementById("report");
  report.hidden = !d.report_file;
  if (d.report_file) document.getElementById("report-link").href = withToken("/files/" + d.id + "/" + d.report_file);
  const body = document.querySelector("#tasks tbody");
  body.replaceChildren();
  for (const t of d.rows || []) {
    const row = body.insertRow();
    row.dataset.task = t.task;
    cell(row, t.task); cell(row, t.run); cell(row, t.seed); cell(row, t.status, "status-" + t.status);
    cell(row, t.epoch + "/" + t.epochs, "epoch"); cell(row, t.eta); cell(row, t.host); cell(row, t.threads);
    cell(row, t.accuracy === null ? null : t.accuracy.toFixed(4) + (t.test ? " (test)" : ""));
  }
  const board = document.getElementById("leaderboard-box");
  board.hidden = !d.leaderboard;
  const boardBody = document.querySelector("#leaderboard tbody");
  boardBody.replaceChildren();
  for (const l of d.leaderboard || []) {
    const row = boardBody.insertRow();
    cell(row, l.trial); cell(row, l.configuration); cell(row, l.epochs); cell(row, l.score.toFixed(4)); cell(row, l.stopped ? "yes" : "");
  }
  const comparisons = document.getElementById("comparisons-box");
  comparisons.hidden = !(d.comparisons && d.comparisons.length);
  const comparisonBody = document.querySelector("#comparisons tbody");
  comparisonBody.replaceChildren();
  const points = (v) => v === null || v === undefined ? null : (100 * v).toFixed(2);
  for (const c of d.comparisons || []) {
    const row = comparisonBody.insertRow();
    cell(row, c.name); cell(row, c.seeds); cell(row, points(c.difference));
    cell(row, c.low === undefined ? null : "[" + points(c.low) + ", " + points(c.high) + "]");
    cell(row, c.p === null ? null : c.p.toFixed(3));
  }
  const confusion = document.getElementById("confusion-box");
  confusion.hidden = !d.confusion;
  const confusionBody = document.querySelector("#confusion tbody");
  confusionBody.replaceChildren();
  if (d.confusion) {
    document.getElementById("confusion-title").textContent =
      "Confusion matrix of " + d.confusion.run + ", seed " + d.confusion.seed + " (rows: true class, columns: predicted)";
    d.confusion.matrix.forEach((counts) => { const row = confusionBody.insertRow(); counts.forEach((n) => cell(row, n)); });
  }
  // Per class, from the matrix: precision (of those predicted as the class), recall (of the class's images), F1.
  const perClass = document.querySelector("#per-class tbody");
  perClass.replaceChildren();
  (d.confusion ? d.confusion.matrix : []).forEach((counts, k) => {
    const images = counts.reduce((a, b) => a + b, 0);
    const predicted = d.confusion.matrix.reduce((a, r) => a + r[k], 0);
    const precision = predicted ? counts[k] / predicted : 0, recall = images ? counts[k] / images : 0;
    const f1 = precision + recall ? 2 * precision * recall / (precision + recall) : 0;
    const row = perClass.insertRow();
    cell(row, (d.confusion.classes || [])[k] || "class " + k);
    cell(row, precision.toFixed(4)); cell(row, recall.toFixed(4)); cell(row, f1.toFixed(4)); cell(row, images);
  });
  const state = d.id + ":" + (d.rows || []).map((t) => t.epoch + t.status).join(",");
  if (state === drawn) return;
  drawn = state;
  const curves = document.getElementById("curves");
  const images = (d.runs || []).map((run) => {
    const img = document.createElement("img");
    img.alt = run + " curves";
    img.dataset.run = run;
    img.src = withToken("/api/results/" + d.id + "/curves.svg?run=" + encodeURIComponent(run) + "&t=" + tick);
    return img;
  });
  if (d.trial_curves) {
    const img = document.createElement("img");
    img.alt = "trial curves";
    img.src = withToken("/api/results/" + d.id + "/trials.svg?t=" + tick);
    images.unshift(img);
  }
  curves.replaceChildren(...images);
}

async function refresh() {
  tick++;
  try {
    await refreshList();
    await refreshDetail();
    document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString();
  } catch (e) {
    document.getElementById("updated").textContent = "not reachable: " + e.message;
  }
}

refresh();
setInterval(refresh, 2000);
