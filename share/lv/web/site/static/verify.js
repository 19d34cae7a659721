// The push on the second step: start a login request, then ask every 1.5 s
// whether the phone answered. Each ask is one short check on the server.
const panel = document.getElementById("push");
const numberShown = document.getElementById("push-number");
const stateShown = document.getElementById("push-state");
const POLL_MS = 1500;

function csrfToken() {
	return panel.dataset.csrf;
}

async function reply(response) {
	if (response.headers.get("Content-Type")?.startsWith("application/json")) {
		return response.json();
	}
	return { state: "error", message: (await response.text()).trim() };
}

async function start() {
	const response = await fetch("/verify/push", {
		method: "POST",
		credentials: "same-origin",
		headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
		body: "{}",
	});
	const r = await reply(response);
	if (r.state !== "pending") {
		stateShown.textContent = r.message || "The login request could not be sent.";
		return;
	}
	numberShown.textContent = r.number;
	stateShown.textContent = r.message;
	setTimeout(poll, POLL_MS);
}

async function poll() {
	let r;
	try {
		// The code form's "Don't ask again on this browser" counts for the push too.
		const remember = document.getElementById("remember")?.checked ? "?remember=1" : "";
		r = await reply(await fetch("/verify/push/status" + remember, { credentials: "same-origin" }));
	} catch {
		setTimeout(poll, POLL_MS);
		return;
	}
	if (r.state === "pending") {
		setTimeout(poll, POLL_MS);
	} else if (r.state === "approved") {
		stateShown.textContent = "Approved";
		window.location.assign(r.next);
	} else {
		stateShown.textContent = r.message;
		numberShown.textContent = "";
	}
}

if (panel) {
	if (panel.dataset.push === "start") {
		start().catch(() => { stateShown.textContent = "The login request could not be sent."; });
	} else {
		setTimeout(poll, POLL_MS);
	}
}
