// Every message of every chat, kept in this browser without a cap (PROTOCOL.md 9, "Browser history"): IndexedDB
// database "purr-history", one sealed record per message (history-records.ts). The profile itself keeps only the
// newest messages of each chat for the screen; older ones, search and exports come from here.
import { chatTag, openEntry, sealEntry, type HistoryMessage } from "./history-records";

const dbName = "purr-history";
const storeName = "messages";

interface StoredRecord { tag: ArrayBuffer; sealed: ArrayBuffer; x?: number }

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(dbName, 1);
    request.onupgradeneeded = () => {
      const store = request.result.createObjectStore(storeName, { autoIncrement: true });
      store.createIndex("tag", "tag");
      // Only disappearing messages carry their deletion time in clear, so they can go without opening every record.
      store.createIndex("x", "x");
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB is unavailable"));
  });
}

async function transact<T>(mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest<T> | void): Promise<T | undefined> {
  const db = await openDb();
  try {
    return await new Promise<T | undefined>((resolve, reject) => {
      const tx = db.transaction(storeName, mode);
      const request = action(tx.objectStore(storeName));
      tx.oncomplete = () => resolve(request ? request.result : undefined);
      tx.onerror = () => reject(tx.error ?? new Error("IndexedDB transaction failed"));
      tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
    });
  } finally {
    db.close();
  }
}

const buffer = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer;

export class HistoryStore {
  constructor(private readonly key: Uint8Array) {}

  /** Appends messages in one transaction (all or none). */
  async append(messages: HistoryMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const records: StoredRecord[] = messages.map(m => ({
      tag: buffer(chatTag(this.key, m.chat)), sealed: buffer(sealEntry(this.key, m)), ...(m.message.expiresAt ? { x: m.message.expiresAt } : {}),
    }));
    await transact("readwrite", store => {
      for (const record of records) store.add(record);
    });
  }

  /** One chat's messages, oldest first, each once (a record written twice around a crash counts once). */
  async chat(chatId: string): Promise<HistoryMessage[]> {
    const records = await transact("readonly", store => store.index("tag").getAll(IDBKeyRange.only(buffer(chatTag(this.key, chatId))))) as StoredRecord[] | undefined;
    return this.open(records ?? []);
  }

  /** Every chat's messages, oldest first. */
  async all(): Promise<HistoryMessage[]> {
    return this.open(((await transact("readonly", store => store.getAll())) as StoredRecord[] | undefined) ?? []);
  }

  async deleteChat(chatId: string): Promise<void> {
    const tag = buffer(chatTag(this.key, chatId));
    await transact("readwrite", store => {
      const cursor = store.index("tag").openKeyCursor(IDBKeyRange.only(tag));
      cursor.onsuccess = () => {
        if (!cursor.result) return;
        store.delete(cursor.result.primaryKey);
        cursor.result.continue();
      };
    });
  }

  async deleteAll(): Promise<void> {
    await transact("readwrite", store => store.clear());
  }

  /** Deletes the disappearing messages whose time is up (by their clear deletion time; nothing is opened). */
  async deleteExpired(now: number): Promise<void> {
    await transact("readwrite", store => {
      const cursor = store.index("x").openKeyCursor(IDBKeyRange.upperBound(now));
      cursor.onsuccess = () => {
        if (!cursor.result) return;
        store.delete(cursor.result.primaryKey);
        cursor.result.continue();
      };
    });
  }

  private open(records: StoredRecord[]): HistoryMessage[] {
    const seen = new Set<string>();
    const result: HistoryMessage[] = [];
    for (const record of records) {
      const opened = openEntry(this.key, new Uint8Array(record.sealed));
      if (!opened) continue;
      const id = `${opened.chat} ${opened.message.mine} ${opened.message.id}`;
      if (seen.has(id)) continue;
      seen.add(id);
      result.push(opened);
    }
    return result;
  }
}

/** Deletes the whole history database (the profile is being deleted). */
export const deleteHistoryDatabase = (): Promise<void> => new Promise(resolve => {
  const request = indexedDB.deleteDatabase(dbName);
  request.onsuccess = request.onerror = request.onblocked = () => resolve();
});
