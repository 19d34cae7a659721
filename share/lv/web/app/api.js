// The site's endpoints for the device app (share/lv/web/INTERFACE.md):
// JSON over the logged-in session's cookie; every POST carries the session's
// CSRF token in X-CSRF-Token. A refusal throws an ApiError holding the
// site's one-line "error".

const BASE = new URL('api/', import.meta.url);

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

let csrf = null;

function oneLine(s) {
  return String(s).split('\n')[0].trim().slice(0, 300);
}

async function send(path, init) {
  let res;
  try {
    res = await fetch(new URL(path, BASE), { credentials: 'same-origin', cache: 'no-store', ...init });
  } catch {
    throw new ApiError(0, navigator.onLine === false ?
      'Offline: this needs the network. Try again when the phone is online.' :
      'Cannot reach the site: check the connection and try again.');
  }
  const json = (res.headers.get('Content-Type') || '').split(';')[0].trim() === 'application/json';
  const body = json ? await res.json().catch(() => null) : null;
  if (!json && (res.redirected || res.status === 401))
    throw new ApiError(401, 'Not logged in: log in on this phone first.');
  if (!res.ok)
    throw new ApiError(res.status, oneLine(body?.error ?? `the site answered HTTP ${res.status}`));
  if (body === null)
    throw new ApiError(res.status, 'the site did not answer in JSON');
  return body;
}

function get(path) {
  return send(path, { method: 'GET', headers: { Accept: 'application/json' } });
}

async function post(path, body) {
  const attempt = () => send(path, {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
    body: JSON.stringify(body),
  });
  if (csrf === null)
    await getSession();
  try {
    return await attempt();
  } catch (e) {
    // A token gone stale (the session changed at login): fetch the current one, try once more.
    if (!(e instanceof ApiError) || e.status !== 403)
      throw e;
    await getSession();
    return attempt();
  }
}

// {account, csrf, verified, enrolled, devices: [ids]}
export async function getSession() {
  const s = await get('session');
  csrf = typeof s.csrf === 'string' ? s.csrf : null;
  return s;
}

// {device_id, backup_code (null when the account already had codes)}
export function enroll(publicKeyB64) {
  return post('enroll', { public_key: publicKeyB64 });
}

// [{id, time, ip, client, location, status}], as lv-requests list --json.
export function listRequests() {
  return get('requests');
}

// {line: the lv1-request line, choices: three two-digit numbers}
export function getRequest(id) {
  return get(`requests/${encodeURIComponent(id)}`);
}

// {recorded: true}
export function postAnswer(line) {
  return post('answer', { line });
}

// {off: true}
export function postSignout(line) {
  return post('signout', { line });
}
