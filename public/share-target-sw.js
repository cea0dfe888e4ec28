// Web Share Target (the manifest's share_target): the service worker answers the share's POST,
// keeps the shared files in IndexedDB for the page (a POST body cannot reach a static page, and
// File objects survive IndexedDB, never localStorage) and redirects to the app, whose
// src/app/shared-files.ts inspects them and deletes the kept copy. Loaded by the generated
// sw.js through workbox's importScripts; the names below are repeated in shared-files.ts.
// It answers that POST only: every other request goes on to workbox (which routes GETs only).

const SHARE_ACTION = 'share-target';
const SHARE_DB = 'image-inspector-share';
const SHARE_STORE = 'shared';
const SHARE_KEY = 'files';

/** @param {File[]} files */
function keepSharedFiles(files) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(SHARE_DB, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(SHARE_STORE);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction(SHARE_STORE, 'readwrite');
      tx.objectStore(SHARE_STORE).put(files, SHARE_KEY);
      tx.oncomplete = () => {
        db.close();
        resolve(undefined);
      };
      tx.onerror = () => reject(tx.error);
    };
  });
}

/** @param {Request} request */
async function answerShare(request) {
  const app = new URL('./', self.registration.scope);
  try {
    const form = await request.formData();
    const files = form.getAll('files').filter((f) => f instanceof File);
    if (files.length) {
      await keepSharedFiles(files);
      app.searchParams.set('shared', '1');
    }
  } catch (error) {
    // The page cannot show this (nothing reached it): the share opens the empty app instead.
    console.error('image-inspector: the shared files could not be kept', error);
  }
  return Response.redirect(app.href, 303);
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'POST') return;
  const url = new URL(request.url);
  if (url.pathname !== new URL(SHARE_ACTION, self.registration.scope).pathname) return;
  event.respondWith(answerShare(request));
});
