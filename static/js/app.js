// Small progressive enhancements; every page works without them.
"use strict";

// On a phone the main navigation folds behind the menu button (static/css/app.css);
// without this script the button stays hidden and the navigation open.
document.documentElement.classList.add("menu-ready");
document.addEventListener("click", (event) => {
  const button = event.target.closest(".menu-button");
  if (!button) return;
  const open = button.getAttribute("aria-expanded") !== "true";
  button.setAttribute("aria-expanded", String(open));
  for (const id of button.getAttribute("aria-controls").split(" ")) {
    document.getElementById(id)?.classList.toggle("open", open);
  }
});

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});

document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-autosubmit]")) {
    event.target.form.requestSubmit();
  }
});

// Suggested captions fill the comment box as a starting point.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-fill]");
  if (!button) return;
  const target = document.querySelector(button.dataset.fill);
  if (target) {
    target.value = button.dataset.text;
    target.focus();
    target.dispatchEvent(new Event("input", { bubbles: true }));
  }
});

// A second click on a submit button marked data-once does nothing while the first
// submission is on its way (the server refuses a double share anyway).
document.addEventListener("submit", (event) => {
  const button = event.target.querySelector("[data-once]");
  if (button) {
    if (button.dataset.sent) {
      event.preventDefault();
    }
    button.dataset.sent = "1";
  }
});

// The page between a connect form and a network's sign-in page leads on by itself. A
// script's navigation, unlike a redirect answering a form, is outside the policy's
// form-action (see CONTENT_SECURITY_POLICY in config/settings.py); without scripts the
// link is followed by hand.
document.addEventListener("DOMContentLoaded", () => {
  const link = document.querySelector("a[data-follow]");
  if (link) {
    window.location.replace(link.href);
  }
});

// The installable app: static files and an offline page (see config/pwa.py).
if ("serviceWorker" in navigator && window.isSecureContext) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js").catch(() => {});
  });
}

// Copy a text (e.g. the words to paste into Facebook's share dialog) with one click.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  if (!source) return;
  try {
    await navigator.clipboard.writeText(source.value ?? source.textContent);
  } catch {
    source.select?.();
    document.execCommand("copy");
  }
  if (button.dataset.copied) button.textContent = button.dataset.copied;
});
