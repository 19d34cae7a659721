// The lines a device signs, byte for byte as lv-device(1) makes them
// (lv-requests(1), "Line formats"). The signed bytes are the domain tag and
// then each field but the signature, every one as L(s) = uint32_be(len(s)) || s
// over its UTF-8 bytes; keys and signatures are padded base64 (RFC 4648).
// The private key is a WebCrypto CryptoKey: this module never sees its bytes.

const ACCOUNT = /^[A-Za-z0-9_][A-Za-z0-9._@-]{0,63}$/;
const REQUEST_ID = /^[0-9a-f]{12}$/;
// 32 bytes: 43 characters and '=', the last one's two unused bits zero.
const CHALLENGE = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const NUMBER = /^[0-9]{2}$/;
// What lv refuses in a line: controls (but the separating tab), format
// characters, line and paragraph separators (lib/lv_utf8.c).
const NOT_SHOWN = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\p{Cf}\u2028\u2029]/u;
const REQUEST_LINE_MAX = 4095; // bytes, as lv-device sign reads it (LV_REQLINE_MAX)

const encoder = new TextEncoder();

function fail(what) {
  throw new Error(what);
}

// A time as lv writes it, YYYY-MM-DDTHH:MM:SSZ, and only a real one.
export function isoTime(date) {
  if (!(date instanceof Date) || Number.isNaN(date.getTime()))
    fail('bad time: a valid Date expected');
  const s = date.toISOString().slice(0, 19) + 'Z';
  if (!TIME.test(s))
    fail('bad time: a year from 0000 to 9999 expected');
  return s;
}

function validTime(s) {
  const d = new Date(s);
  return TIME.test(s) && !Number.isNaN(d.getTime()) && isoTime(d) === s;
}

function wellFormed(s) {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

// "\\" and "\"" in IP, CLIENT and LOCATION stand for "\" and '"'.
function unescapeText(s) {
  return s.replace(/\\(["\\])/g, '$1');
}

// The fields of an lv1-request line (lv-requests show), checked as strictly
// as lv-device sign checks them; one trailing newline is allowed, as there.
export function parseRequestLine(line) {
  if (typeof line !== 'string')
    fail('malformed request: one lv1-request line expected');
  const text = line.endsWith('\n') ? line.slice(0, -1) : line;
  if (!wellFormed(text) || NOT_SHOWN.test(text) || encoder.encode(line).length > REQUEST_LINE_MAX)
    fail('malformed request: one lv1-request line expected');
  const f = text.split('\t');
  if (f.length !== 8 || f[0] !== 'lv1-request' || !ACCOUNT.test(f[1]) || !REQUEST_ID.test(f[2]) ||
      !CHALLENGE.test(f[3]) || !validTime(f[4]))
    fail('malformed request: one lv1-request line expected');
  return {
    account: f[1], id: f[2], challenge: f[3], time: f[4],
    ip: unescapeText(f[5]), client: unescapeText(f[6]), location: unescapeText(f[7]),
  };
}

// L(tag) || L(f1) || ... || L(fn)
function signedBytes(tag, fields) {
  const parts = [tag, ...fields].map(s => encoder.encode(s));
  const out = new Uint8Array(parts.reduce((n, p) => n + 4 + p.length, 0));
  const view = new DataView(out.buffer);
  let off = 0;
  for (const p of parts) {
    view.setUint32(off, p.length, false);
    out.set(p, off + 4);
    off += 4 + p.length;
  }
  return out;
}

function base64(bytes) {
  let bin = '';
  for (const b of new Uint8Array(bytes))
    bin += String.fromCharCode(b);
  return btoa(bin);
}

function checkKey(key, type) {
  if (!(key instanceof CryptoKey) || key.algorithm.name !== 'Ed25519' || key.type !== type)
    fail(`bad key: an Ed25519 ${type} CryptoKey expected`);
}

async function signedLine(tag, fields, privateKey) {
  checkKey(privateKey, 'private');
  const sig = await crypto.subtle.sign({ name: 'Ed25519' }, privateKey, signedBytes(tag, fields));
  return [tag, ...fields, base64(sig)].join('\t');
}

// The lv1-answer line (no newline) that lv-device sign DECISION NUMBER
// prints for this lv1-request line; DECISION is 'approve' or 'deny',
// NUMBER the two digits picked (any two for a denial).
export async function answerLine(requestLine, decision, number, privateKey) {
  const r = parseRequestLine(requestLine);
  if (decision !== 'approve' && decision !== 'deny')
    fail('bad decision: approve or deny expected');
  if (typeof number !== 'string' || !NUMBER.test(number))
    fail('bad number: the two digits shown on the login screen expected');
  return signedLine('lv1-answer', [r.account, r.id, r.challenge, decision, number], privateKey);
}

// The lv1-signout line (no newline) that lv-device signout ACCOUNT prints
// when run at DATE (a Date; its milliseconds dropped).
export async function signoutLine(account, date, privateKey) {
  if (typeof account !== 'string' || !ACCOUNT.test(account))
    fail('bad account name');
  return signedLine('lv1-signout', [account, isoTime(date)], privateKey);
}

// The raw 32-byte public key in padded base64: the line lv-enroll
// --device-key - reads.
export async function publicKeyB64(publicKey) {
  checkKey(publicKey, 'public');
  return base64(await crypto.subtle.exportKey('raw', publicKey));
}

// The test vector of lv-requests(1), EXAMPLES: the device seed of 32 zero
// bytes, its public key, a request line and the answer approving it with 42.
const VECTOR = {
  publicKey: 'O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik=',
  request: 'lv1-request\talice\t0123456789ab\tAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\t' +
    '2026-01-01T00:00:00Z\t192.0.2.7\tFirefox on Linux\tBerlin',
  answer: 'lv1-answer\talice\t0123456789ab\tAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\tapprove\t42\t' +
    'U6JTAlmjSPmPIH4qxMTeKOjfo7cCJwo+RMe2uijBZgjbWpbhVTLsn3kku1kpYcG8xp5YLAhlbIEZfl8boQHSAQ==',
  // Made with the same seed by lv_sign (lib/lv_sign.c), which lv-device signout runs.
  signoutTime: '2026-01-01T00:00:00Z',
  signout: 'lv1-signout\talice\t2026-01-01T00:00:00Z\t' +
    '4pVWBuu4Qu8h49wIEpcE0UHTPF/pAJlJN2CzS2NLPydkJO6dx80bAHh1fMs2YFtkbsh1S4jCLc4pbArEDv6lBA==',
};

// PKCS #8 for an Ed25519 seed (RFC 8410): this prefix, then the 32 bytes.
const PKCS8_ED25519_PREFIX = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70,
  0x04, 0x22, 0x04, 0x20];

// True when this browser signs the test vector byte for byte as lv does:
// the answer line, the sign-out line, and the public key of the seed.
export async function selfTest() {
  const der = new Uint8Array([...PKCS8_ED25519_PREFIX, ...new Uint8Array(32)]);
  const alg = { name: 'Ed25519' };
  const key = await crypto.subtle.importKey('pkcs8', der, alg, false, ['sign']);
  const jwk = await crypto.subtle.exportKey('jwk',
    await crypto.subtle.importKey('pkcs8', der, alg, true, ['sign']));
  const pub = await crypto.subtle.importKey('jwk', { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, alg, true,
    ['verify']);
  return await answerLine(VECTOR.request, 'approve', '42', key) === VECTOR.answer &&
    await signoutLine('alice', new Date(VECTOR.signoutTime), key) === VECTOR.signout &&
    await publicKeyB64(pub) === VECTOR.publicKey;
}
