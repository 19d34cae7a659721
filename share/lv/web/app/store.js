// This phone's device key, kept in IndexedDB (database lv-device, store
// keys, key device) as {privateKey, publicKeyB64, deviceId, account}. The
// private key is a non-extractable CryptoKey, stored by structured clone:
// the browser keeps its bytes, no script can read them.

const DB = 'lv-device';
const STORE = 'keys';
const KEY = 'device';

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error('the key store is busy in another tab: close it and try again'));
  });
}

// Runs one request on the store and resolves with its result once the
// transaction has committed.
async function run(mode, use) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = use(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error || new Error('the key store refused the change'));
    });
  } finally {
    db.close();
  }
}

export function saveDevice(record) {
  return run('readwrite', s => s.put(record, KEY)).then(() => undefined);
}

// The record, or null when this browser holds no device key.
export function loadDevice() {
  return run('readonly', s => s.get(KEY)).then(r => r ?? null);
}

export function deleteDevice() {
  return run('readwrite', s => s.delete(KEY)).then(() => undefined);
}
