// The device app: turns login verification on with this phone, lists the
// login requests, approves or denies one by signing exactly what
// lv-device sign signs, and signs out. Text reaches the page through
// textContent only, never as HTML.

import * as api from './api.js';
import { answerLine, signoutLine, publicKeyB64, parseRequestLine } from './lvsign.js';
import { saveDevice, loadDevice, deleteDevice } from './store.js';

const $ = id => document.getElementById(id);

const state = {
  session: null, // the site's /app/api/session reply, when reached
  device: null, // {privateKey, publicKeyB64, deviceId, account} from IndexedDB
  requests: [], // the last list, newest first
  open: null, // {id, line}: the request shown in #request
};

function say(text) {
  $('app-message').textContent = text;
}

function show(id, shown) {
  $(id).hidden = !shown;
}

function account() {
  return state.session?.account ?? state.device?.account ?? null;
}

function keyHere() {
  return state.device !== null && state.device.deviceId !== null && state.device.account === account();
}

// The phone that turned verification on is the earliest device still enrolled.
function enrollingDevice() {
  const devices = state.session?.devices;
  return !Array.isArray(devices) || devices[0] === state.device?.deviceId;
}

function render() {
  const name = account();
  $('app-account').textContent = name === null ? '' : `Account: ${name}`;
  show('enrol', state.session !== null && (state.device === null || state.device.deviceId === null));
  show('device', keyHere());
  $('device-id').textContent = keyHere() ? state.device.deviceId : '';
  show('requests-box', keyHere());
  show('signout-box', keyHere());
  $('signout-note').textContent = enrollingDevice() ?
    'This is the phone that turned login verification on: signing out of it turns login verification off for your account, and this phone forgets its key.' :
    'Only the phone that turned login verification on can turn it off by signing out; on this phone the site will refuse.';
  show('request', state.open !== null);
  show('offline', navigator.onLine === false);
}

// Runs one action with the buttons of its section disabled; its error, if
// any, becomes the message.
async function act(section, action) {
  const buttons = [...$(section).querySelectorAll('button')];
  buttons.forEach(b => { b.disabled = true; });
  try {
    await action();
  } catch (e) {
    say(e.message);
  } finally {
    buttons.forEach(b => { b.disabled = false; });
    render();
  }
}

// A key for an account whose devices no longer list it was removed on
// the site (deleted in settings, or verification turned off): forget it.
async function forgetRemovedKey() {
  const s = state.session, d = state.device;
  if (d === null || d.account !== s.account || !Array.isArray(s.devices) || s.devices.includes(d.deviceId))
    return;
  await deleteDevice();
  state.device = null;
  say('This phone is no longer enrolled for your account: turn on login verification again to use it.');
}

async function loadSession() {
  try {
    state.session = await api.getSession();
    show('login-needed', false);
    await forgetRemovedKey();
    if (state.device !== null && state.device.account !== state.session.account)
      say(`This phone holds the key of account ${state.device.account}: log in as that account to use it.`);
  } catch (e) {
    state.session = null;
    show('login-needed', e.status === 401);
    say(e.message);
  }
}

async function generateKeyPair() {
  try {
    return await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
  } catch {
    throw new Error('This browser cannot make an Ed25519 key: update it, or use another browser.');
  }
}

function showBackupCode(code) {
  show('backup', typeof code === 'string' && code !== '');
  $('backup-code').textContent = code ?? '';
  $('backup-account').textContent = account() ?? '';
}

// The key is kept before the site learns it, so an enrolled key is never
// one this phone lost; a refused enrolment forgets it again.
async function turnOn() {
  const pair = await generateKeyPair();
  const record = { privateKey: pair.privateKey, publicKeyB64: await publicKeyB64(pair.publicKey),
    deviceId: null, account: state.session.account };
  await saveDevice(record);
  let reply;
  try {
    reply = await api.enroll(record.publicKeyB64);
  } catch (e) {
    await deleteDevice();
    throw e;
  }
  record.deviceId = reply.device_id;
  await saveDevice(record);
  state.device = record;
  showBackupCode(reply.backup_code);
  say('Login verification is on with this phone');
  await loadSession();
  await refresh();
}

function text(value) {
  return value === null || value === undefined || value === '' ? '-' : String(value);
}

function requestItem(r) {
  const li = document.createElement('li');
  const when = document.createElement('span');
  const status = document.createElement('span');
  const where = document.createElement('span');
  li.className = `request ${r.status}`;
  li.dataset.id = r.id;
  when.className = 'time';
  when.textContent = text(r.time);
  status.className = 'state';
  status.textContent = text(r.status);
  where.className = 'where';
  where.textContent = [r.ip, r.client, r.location].map(text).join(' · ');
  li.append(when, ' ', status, ' ', where);
  if (r.status === 'pending') {
    li.tabIndex = 0;
    li.setAttribute('role', 'button');
    li.addEventListener('click', () => act('requests-box', () => openRequest(r.id)));
    li.addEventListener('keydown', e => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        li.click();
      }
    });
  }
  return li;
}

function renderRequests() {
  const valid = state.requests.filter(r => r && /^[0-9a-f]{12}$/.test(r.id));
  $('requests').replaceChildren(...valid.map(requestItem));
  show('no-requests', valid.length === 0);
}

async function refresh() {
  const list = await api.listRequests();
  if (!Array.isArray(list))
    throw new Error('the site sent no list of requests');
  // lv lists newest first; the sort only guards that order (it is stable).
  state.requests = [...list].sort((a, b) => (b.time > a.time) - (b.time < a.time));
  renderRequests();
}

function choiceButton(number) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'choice';
  b.dataset.number = number;
  b.textContent = number;
  b.addEventListener('click', () => act('request', () => answer('approve', number)));
  return b;
}

async function openRequest(id) {
  const reply = await api.getRequest(id);
  const r = parseRequestLine(reply.line);
  if (r.id !== id || r.account !== state.device.account)
    throw new Error('the site sent another request than the one asked for');
  // A login the site made comes with three numbers to pick from; one made
  // elsewhere (an ssh login through pam_lv) with none: the number is typed.
  const typed = reply.choices === null;
  const choices = typed ? [] : (Array.isArray(reply.choices) ? reply.choices : []).map(String);
  if (!typed && (choices.length !== 3 || !choices.every(c => /^[0-9]{2}$/.test(c))))
    throw new Error('the site sent no three numbers to choose from');
  $('request-time').textContent = r.time;
  $('request-ip').textContent = r.ip;
  $('request-client').textContent = r.client;
  $('request-location').textContent = r.location;
  $('choices').replaceChildren(...choices.map(choiceButton));
  $('pick-ask').hidden = typed;
  $('typed').hidden = !typed;
  $('typed-number').value = '';
  state.open = { id, line: reply.line };
  say('');
  render();
  $('request').scrollIntoView({ block: 'start' });
}

function closeRequest() {
  state.open = null;
  $('choices').replaceChildren();
  $('typed-number').value = '';
}

// A denial carries a number too; any two digits do.
async function answer(decision, number) {
  const id = state.open.id;
  const line = await answerLine(state.open.line, decision, number, state.device.privateKey);
  try {
    await api.postAnswer(line);
    closeRequest();
  } catch (e) {
    if (e.status === 409 || e.status === 404)
      closeRequest();
    throw e;
  } finally {
    await refresh().catch(() => {});
  }
  // lv records an approval with another number as a denial (lv-requests(1)).
  const wrong = decision === 'approve' && state.requests.find(r => r.id === id)?.status === 'denied';
  say(decision === 'deny' ? 'Denied' : wrong ? 'Denied: the number you picked is not the one on the login screen' : 'Approved');
}

async function signOut() {
  const line = await signoutLine(state.device.account, new Date(), state.device.privateKey);
  const reply = await api.postSignout(line);
  await deleteDevice();
  state.device = null;
  closeRequest();
  showBackupCode(null);
  say(reply.off === true ? 'Signed out: login verification is off' : 'Signed out of this device');
  await loadSession();
}

function wire() {
  $('turn-on').addEventListener('click', () => act('enrol', turnOn));
  $('print').addEventListener('click', () => window.print());
  $('refresh').addEventListener('click', () => act('requests-box', refresh));
  $('typed').addEventListener('submit', event => {
    event.preventDefault();
    const number = $('typed-number').value.trim();
    if (!/^[0-9]{2}$/.test(number)) {
      say('Type the two digits shown on the login screen');
      return;
    }
    act('request', () => answer('approve', number));
  });
  $('deny').addEventListener('click', () => act('request', () => answer('deny', '00')));
  $('close-request').addEventListener('click', () => { closeRequest(); render(); });
  $('signout').addEventListener('click', () => act('signout-box', signOut));
  window.addEventListener('offline', render);
  window.addEventListener('online', () => act('requests-box', start));
}

async function start() {
  await loadSession();
  render();
  if (keyHere() && state.session !== null)
    await refresh();
}

async function main() {
  wire();
  if ('serviceWorker' in navigator)
    navigator.serviceWorker.register(new URL('sw.js', import.meta.url), { scope: './' })
      .catch(e => console.warn('lv: no offline copy of the app:', e.message));
  try {
    state.device = await loadDevice();
  } catch (e) {
    say(`This browser cannot keep a key (IndexedDB): ${e.message}`);
  }
  await act('requests-box', start);
}

main();
