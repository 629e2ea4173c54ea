// Where the encrypted profile blob lives in the browser: one IndexedDB record per origin.
const dbName = "purr";
const storeName = "profile";
const recordKey = "current";
/** The profile's display name, kept unencrypted so the unlock screen can say whose profile this is. */
const labelKey = "label";

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(dbName, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(storeName);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB is unavailable"));
  });
}

async function run<T>(mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(storeName, mode);
      const request = action(tx.objectStore(storeName));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error ?? new Error("IndexedDB transaction failed"));
      tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
    });
  } finally {
    db.close();
  }
}

export const loadProfileBlob = async (): Promise<Uint8Array | null> => {
  const value = await run("readonly", store => store.get(recordKey) as IDBRequest<ArrayBuffer | undefined>);
  return value ? new Uint8Array(value) : null;
};

/** One transaction replaces the whole record: a crash leaves the old profile or the new one, never half. */
export const saveProfileBlob = (blob: Uint8Array): Promise<unknown> => run("readwrite", store => store.put(blob.slice().buffer, recordKey));

/** Deletes the profile and its label together. */
export const deleteProfileBlob = (): Promise<unknown> => run("readwrite", store => {
  store.delete(labelKey);
  return store.delete(recordKey);
});

export const loadProfileLabel = async (): Promise<string | null> => {
  const value = await run("readonly", store => store.get(labelKey) as IDBRequest<string | undefined>);
  return typeof value === "string" && value.length > 0 ? value : null;
};

export const saveProfileLabel = (label: string): Promise<unknown> => run("readwrite", store => store.put(label, labelKey));
