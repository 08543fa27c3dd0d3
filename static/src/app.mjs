// Page start-up: mark the body as able to run GOV.UK Frontend (done here
// rather than in an inline script so that the Content Security Policy can
// forbid inline scripts), then initialise every component on the page.
import { initAll } from "./govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// Buttons that print the page (no inline handlers under our CSP).
document.querySelectorAll("[data-app-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});

// Pages waiting for a PDF refresh themselves until it is ready.
const waiting = document.querySelector("[data-app-refresh-seconds]");
if (waiting) {
  const seconds = Number(waiting.getAttribute("data-app-refresh-seconds")) || 3;
  window.setTimeout(() => window.location.reload(), seconds * 1000);
}
