// Creating or unlocking the profile kept in this browser, pinned to the server the page came from.
import { ready } from "../crypto/sodium";
import { parseAddress, formatAddress } from "../protocol/address";
import { equalBytes } from "../protocol/bytes";
import { PurrClient } from "../app/client";
import { deserializeProfile, MESSAGES_KEPT, newProfile, serializeProfile, unstoredMessages } from "../app/model";
import { deleteHistoryDatabase, HistoryStore } from "../app/history-store";
import { historyKey } from "../app/history-records";
import { newProfileKey, openProfile, sealProfile } from "../app/profile-file";
import { fromPortableJson } from "../app/portable";
import { deleteProfileBlob, loadProfileBlob, loadProfileLabel, saveProfileBlob, saveProfileLabel } from "../app/profile-store";
import { parseInviteLink, type PolicyName } from "../app/registration";
import { applyAccess, type Access } from "./registration";

/** The page's server: its address, where to connect, and who may create there (its registration policy). */
export interface ServerInfo { address: string; webSocketUrl: string; registration: PolicyName }

export async function serverInfo(): Promise<ServerInfo> {
  await ready;
  const response = await fetch("/.well-known/purr", { cache: "no-store" });
  if (!response.ok) throw new Error("this page's server did not describe itself");
  const info = await response.json() as { address: string; webSocketPath: string; registration?: PolicyName };
  const address = parseAddress(info.address);
  if (!address) throw new Error("this page's server sent a malformed address");
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return { address: formatAddress(address), webSocketUrl: `${scheme}://${location.host}${info.webSocketPath}`, registration: info.registration ?? "open" };
}

export const hasProfile = async () => (await loadProfileBlob()) !== null;

/** The display name kept in clear beside the profile, so the unlock screen can say whose it is (SECURITY.md). */
export const profileLabel = () => loadProfileLabel();

/** A new profile; what the server's registration policy asks is stored in it (an invite is redeemed, or nothing is kept). */
export async function createProfile(server: ServerInfo, displayName: string, passphrase: string, access: Access = null): Promise<PurrClient> {
  if (access && "invite" in access && !parseInviteLink(access.invite)) {
    throw new Error("this is not a Purr invite link (purr:invite/…#…); ask the server's operator for the whole link");
  }
  const data = newProfile(server.address, displayName);
  const key = newProfileKey(passphrase);
  // A deleted profile's history could not be read with the new key anyway: it goes, not to linger.
  await deleteHistoryDatabase();
  await saveProfileBlob(sealProfile(key, serializeProfile(data)));
  await saveProfileLabel(displayName);
  const client = new PurrClient(data, key, server.webSocketUrl);
  try {
    await applyAccess(client, access);
  } catch (e) {
    client.stop();
    await deleteProfileBlob();
    throw e;
  }
  return client;
}

export async function unlockProfile(server: ServerInfo, passphrase: string): Promise<PurrClient> {
  const blob = await loadProfileBlob();
  if (!blob) throw new Error("there is no profile in this browser");
  const { json, key } = openProfile(blob, passphrase);
  const data = deserializeProfile(json);
  const pinned = parseAddress(data.server)!;
  const now = parseAddress(server.address)!;
  if (!equalBytes(pinned.identityKey, now.identityKey)) {
    throw new Error("this server's identity key is not the one your profile was made with; refusing to connect (the server was replaced, or this is another server)");
  }
  await saveProfileLabel(data.displayName);
  return new PurrClient(data, key, server.webSocketUrl);
}

/** The largest exported profile this page reads (the purr tool's limit too). */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;

/**
 * A profile exported by the purr tool or another browser becomes this browser's, on the page's server, with the
 * passphrase it was exported with. Nothing is stored unless the whole file opens and reads.
 */
export async function importProfile(server: ServerInfo, file: Uint8Array, passphrase: string): Promise<PurrClient> {
  if (file.length > MAX_IMPORT_BYTES) throw new Error("this file is larger than any exported profile");
  const { json, key } = openProfile(file, passphrase);
  const data = fromPortableJson(json, server.address);
  // Every message goes to the history store; the profile keeps each chat's newest, as it does for its own.
  await deleteHistoryDatabase();
  await new HistoryStore(historyKey(key.key)).append(unstoredMessages(data));
  for (const chat of [...data.contacts, ...data.rooms]) chat.messages = chat.messages.slice(-MESSAGES_KEPT);
  await saveProfileBlob(sealProfile(key, serializeProfile(data)));
  await saveProfileLabel(data.displayName);
  return new PurrClient(data, key, server.webSocketUrl);
}
