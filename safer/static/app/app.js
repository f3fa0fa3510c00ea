// Safer Communities front-end behaviour. Served as an ES module:
//   <script type="module" src="/static/app/app.js"></script>
// CSP-safe: no inline scripts, no eval, no inline style attributes.
import { initAll } from "/static/govuk/govuk-frontend.min.js";

try {
  initAll();
} catch (error) {
  // Keep the project's own behaviour working even if a component fails.
  console.error(error);
}

// <form data-app-confirm="Delete this case?"> asks before submitting.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-app-confirm")) {
    return;
  }
  if (!window.confirm(form.getAttribute("data-app-confirm"))) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

// <div data-app-progress-url="/imports/5/progress.json"> polls a JSON endpoint:
//   {"percent": 40, "rows_done": 400, "rows_total": 1000, "errors": 2,
//    "status": "running", "message": "..."}
// and updates the <progress> inside it plus [data-app-progress-field="<key>"].
// When the status is terminal it stops and reloads the page once, so the
// server-rendered final state shows.
const POLL_INTERVAL_MS = 1500;
const MAX_CONSECUTIVE_FAILURES = 20;
const TERMINAL_STATUSES = new Set(["succeeded", "failed", "cancelled"]);

function reloadOnce(url) {
  const key = `app-progress-reloaded:${url}`;
  try {
    if (window.sessionStorage.getItem(key)) {
      return; // already reloaded for this job: avoid a reload loop
    }
    window.sessionStorage.setItem(key, "1");
  } catch {
    // sessionStorage unavailable: reload anyway (at most once per page view)
  }
  window.location.reload();
}

function render(container, data) {
  const percent = Math.max(0, Math.min(100, Number(data.percent) || 0));
  const bar = container.querySelector("progress");
  if (bar) {
    bar.max = 100;
    bar.value = percent;
    bar.textContent = `${percent}%`;
  }
  for (const field of container.querySelectorAll("[data-app-progress-field]")) {
    const key = field.getAttribute("data-app-progress-field");
    if (!Object.prototype.hasOwnProperty.call(data, key)) {
      continue;
    }
    const value = key === "percent" ? percent : data[key];
    // Counts as the page writes them: 1,112 not 1112.
    const text =
      value === null || value === undefined
        ? ""
        : typeof value === "number" && key !== "percent"
          ? value.toLocaleString("en-GB")
          : String(value);
    if (field.textContent !== text) {
      field.textContent = text;
    }
  }
}

function watchProgress(container) {
  const url = container.getAttribute("data-app-progress-url");
  if (!url) {
    return;
  }
  let failures = 0;

  const poll = async () => {
    try {
      const response = await fetch(url, {
        credentials: "same-origin",
        cache: "no-store",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) {
        throw new Error(`Progress request failed: ${response.status}`);
      }
      const data = await response.json();
      failures = 0;
      render(container, data);
      if (TERMINAL_STATUSES.has(data.status)) {
        reloadOnce(url);
        return;
      }
    } catch (error) {
      failures += 1;
      if (failures >= MAX_CONSECUTIVE_FAILURES) {
        console.error(error);
        return;
      }
    }
    window.setTimeout(poll, POLL_INTERVAL_MS);
  };

  poll();
}

document.querySelectorAll("[data-app-progress-url]").forEach(watchProgress);
