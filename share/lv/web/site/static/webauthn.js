// Security keys (WebAuthn): "Add a security key" in the settings and "Use
// your security key" at the second step. lv makes the options and checks
// the answer (lv-enroll(1) --key-options and --key -, lv-verify(1)
// --key-options and --method key); this script only carries them between
// the site and navigator.credentials, binary members as base64url without
// padding, the way lv writes and reads them.
const message = document.getElementById("message");
const FAILED = "The security key was not used: ";

function fromB64url(s) {
	const b64 = s.replace(/-/g, "+").replace(/_/g, "/");
	const bin = atob(b64 + "=".repeat((4 - b64.length % 4) % 4));
	return Uint8Array.from(bin, (c) => c.charCodeAt(0)).buffer;
}

function toB64url(buf) {
	if (buf === null || buf === undefined) {
		return null;
	}
	let bin = "";
	for (const b of new Uint8Array(buf)) {
		bin += String.fromCharCode(b);
	}
	return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function post(path, csrf, body) {
	const response = await fetch(path, {
		method: "POST",
		credentials: "same-origin",
		headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
		body: JSON.stringify(body),
	});
	if (response.headers.get("Content-Type")?.startsWith("application/json")) {
		return response.json();
	}
	return { error: (await response.text()).trim() };
}

function show(text) {
	message.textContent = text;
}

// The PublicKeyCredential as lv reads it (PublicKeyCredential.toJSON()'s form).
function answer(cred, members) {
	const response = {};
	for (const m of members) {
		response[m] = toB64url(cred.response[m]);
	}
	return {
		id: cred.id,
		rawId: toB64url(cred.rawId),
		type: cred.type,
		authenticatorAttachment: cred.authenticatorAttachment ?? null,
		clientExtensionResults: cred.getClientExtensionResults(),
		response,
	};
}

async function addKey(section) {
	const csrf = section.dataset.csrf;
	const label = document.getElementById("key-label").value;
	show("Touch your security key.");
	const r = await post("/settings/key/options", csrf, {});
	if (r.error) {
		show(r.error);
		return;
	}
	const o = r.options;
	o.challenge = fromB64url(o.challenge);
	o.user.id = fromB64url(o.user.id);
	for (const c of o.excludeCredentials || []) {
		c.id = fromB64url(c.id);
	}
	let cred;
	try {
		cred = await navigator.credentials.create({ publicKey: o });
	} catch (e) {
		show(FAILED + e.message);
		return;
	}
	const done = await post("/settings/key", csrf,
		{ label, credential: answer(cred, ["clientDataJSON", "attestationObject"]) });
	if (done.error) {
		show(done.error);
		return;
	}
	show(done.message);
	if (done.key) {
		const li = document.createElement("li");
		li.dataset.id = done.key.id;
		li.textContent = done.key.label;
		document.getElementById("keys").append(li);
	}
	if (done.backup_code) {
		const code = document.getElementById("key-backup");
		code.textContent = done.backup_code;
		code.hidden = false;
	}
}

async function useKey(section) {
	const csrf = section.dataset.csrf;
	show("Touch your security key.");
	const r = await post("/verify/key/options", csrf, {});
	if (r.error) {
		show(r.error);
		return;
	}
	const o = r.options;
	o.challenge = fromB64url(o.challenge);
	for (const c of o.allowCredentials || []) {
		c.id = fromB64url(c.id);
	}
	let cred;
	try {
		cred = await navigator.credentials.get({ publicKey: o });
	} catch (e) {
		show(FAILED + e.message);
		return;
	}
	const done = await post("/verify/key", csrf,
		{ credential: answer(cred, ["clientDataJSON", "authenticatorData", "signature", "userHandle"]) });
	if (done.error) {
		show(done.error);
		return;
	}
	show("Verified");
	window.location.assign(done.next);
}

for (const [id, run] of [["key-add", addKey], ["use-key", useKey]]) {
	const button = document.getElementById(id);
	if (button) {
		const section = button.closest("section");
		button.addEventListener("click", () => {
			button.disabled = true;
			run(section)
				.catch((e) => show(FAILED + e.message))
				.finally(() => { button.disabled = false; });
		});
	}
}
