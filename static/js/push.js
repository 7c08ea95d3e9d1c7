// Web push opt-in for this device: asks the browser for a subscription through the
// service worker and hands it to the server. No inline script (strict CSP): the VAPID
// public key and the addresses come from data attributes on the button.
"use strict";

(function () {
  const button = document.getElementById("push-enable");
  const status = document.getElementById("push-status");
  if (!button || !status) return;

  function say(key) {
    status.textContent = status.dataset[key] || "";
  }

  function keyBytes(base64url) {
    const padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    const raw = atob(padded);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function encode(buffer) {
    const bytes = new Uint8Array(buffer);
    let text = "";
    for (let i = 0; i < bytes.length; i += 1) text += String.fromCharCode(bytes[i]);
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function csrfToken() {
    const headers = document.body.getAttribute("hx-headers");
    try {
      return JSON.parse(headers)["X-CSRFToken"];
    } catch (error) {
      return "";
    }
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    say("unsupported");
    button.disabled = true;
    return;
  }

  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        say("denied");
        return;
      }
      const registration = await navigator.serviceWorker.register(button.dataset.serviceWorker, { scope: "/" });
      await navigator.serviceWorker.ready;
      const subscription =
        (await registration.pushManager.getSubscription()) ||
        (await registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(button.dataset.vapidPublicKey),
        }));
      const body = new URLSearchParams({
        endpoint: subscription.endpoint,
        p256dh: encode(subscription.getKey("p256dh")),
        auth: encode(subscription.getKey("auth")),
        device: navigator.userAgent.slice(0, 120),
      });
      const response = await fetch(button.dataset.subscribeUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken() },
      });
      if (response.ok) {
        say("done");
        window.location.reload();
      } else {
        const answer = await response.json().catch(() => ({}));
        status.textContent = answer.error || status.dataset.failed;
      }
    } catch (error) {
      say("failed");
    } finally {
      button.disabled = false;
    }
  });
})();
