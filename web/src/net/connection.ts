// One connection to a Purr server, its identity key pinned (PROTOCOL.md sections 2-3): the page's WebSocket to its own
// server, or a relayed connection through it (net/tunnel.ts). Requests get strictly increasing ids and are matched to
// their responses; pushes go to onPush, and a tunnel's frames to the tunnel they belong to.
import { create, fromBinary, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { ClientFrameSchema, RequestSchema, ServerFrameSchema, type ServerFrame } from "../gen/purr/v1/frames_pb";
import type { RegistrationInfo } from "../gen/purr/v1/registration_pb";
import { ErrorCode } from "../gen/purr/v1/errors_pb";
import { constantTimeEqual, randomBytes, verify } from "../crypto/sodium";
import { serverHello } from "../protocol/signed-bytes";
import { helloMac, macMatches, mailboxMac, type MailboxCredential } from "../protocol/mailbox-keys";
import { FramePipe, WebSocketPipe } from "./pipe";

export type RequestOp = MessageInitShape<typeof RequestSchema>["op"];
export type Signer = (requestBytes: Uint8Array, sessionNonce: Uint8Array) => Uint8Array;

/** What a person reads for the errors a person can cause; the code stays in the text for reports. */
const explanations: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.AUTH]: "not allowed: the link or password is wrong, or it no longer exists",
  [ErrorCode.FORBIDDEN]: "you may not do that here",
  [ErrorCode.ROOM_FULL]: "this room is full",
  [ErrorCode.ROOM_LOCKED]: "this room is locked",
  [ErrorCode.ROOM_BANNED]: "you are banned from this room",
  [ErrorCode.QUOTA_EXCEEDED]: "their mailbox is full; try again once they have read it",
  [ErrorCode.MESSAGE_TOO_LARGE]: "this message is too large for the server",
  [ErrorCode.RATE_LIMITED]: "too many requests; slow down",
  [ErrorCode.SHUTTING_DOWN]: "the server is restarting",
  [ErrorCode.REGISTRATION_REQUIRED]: "this server lets only registered people create chats: it needs an invite, its password or an account",
  [ErrorCode.REGISTRATION_CLOSED]: "this server takes no new chats or people",
  [ErrorCode.UNAVAILABLE]: "the server cannot reach its storage just now; try again in a moment",
};

export class PurrError extends Error {
  constructor(readonly code: ErrorCode, detail: string) {
    super(`${explanations[code] ?? detail} (${ErrorCode[code] ?? code})`);
  }
}

export class ConnectionClosedError extends Error {}

const REQUEST_TIMEOUT_MS = 20_000;

export class PurrConnection {
  private lastId = 0n;
  private readonly pending = new Map<bigint, { resolve: (f: ServerFrame) => void; reject: (e: Error) => void }>();
  onPush: (frame: ServerFrame) => void = () => {};
  onClose: () => void = () => {};
  sessionNonce: Uint8Array = new Uint8Array(0);
  /** The server's registration policy and token key, from its hello (absent from older servers: open). */
  registration: RegistrationInfo | undefined;
  private closed = false;

  /** Where each open tunnel's pushed frames go (PROTOCOL.md 15.6), by the id this side chose; empty: it ended. */
  private readonly tunnels = new Map<number, (data: Uint8Array) => void>();
  private lastTunnelId = 0;

  private constructor(private readonly pipe: FramePipe) {}

  /** Connects to the page's own server over its WebSocket; see `over`. */
  static connect(url: string, identityKey: Uint8Array, helloMailbox?: MailboxCredential): Promise<PurrConnection> {
    return PurrConnection.over(new WebSocketPipe(url), identityKey, helloMailbox);
  }

  /**
   * Runs the hello over `pipe`: checks the server's key against the pinned one and completes the hello. With
   * `helloMailbox` the hello names that mailbox and the server may prove itself with its key (PROTOCOL.md 3).
   */
  static async over(pipe: FramePipe, identityKey: Uint8Array, helloMailbox?: MailboxCredential): Promise<PurrConnection> {
    const connection = new PurrConnection(pipe);
    // Anything after the hello, before the connection listens, waits for it in order.
    const early: Uint8Array[] = [];
    let first = true;
    const hello = await new Promise<ServerFrame>((resolve, reject) => {
      pipe.attach(
        frame => {
          if (!first) {
            early.push(frame);
            return;
          }
          first = false;
          try {
            resolve(fromBinary(ServerFrameSchema, frame));
          } catch {
            reject(new Error("the server's hello is malformed"));
          }
        },
        () => reject(new ConnectionClosedError("could not reach the Purr server, or it closed the connection before its hello")));
    });
    if (hello.body.case !== "serverHello") throw new Error("the server did not start with a hello; is this a Purr server?");
    if (!constantTimeEqual(hello.body.value.serverIdentityKey, identityKey)) {
      pipe.close();
      throw new Error("this server's identity key differs from the one pinned in your profile; refusing to connect");
    }
    connection.sessionNonce = hello.body.value.sessionNonce;
    connection.registration = hello.body.value.registration;
    connection.listen(early);
    const clientNonce = randomBytes(32);
    const accepted = await connection.request({ case: "hello", value: { version: 1, clientNonce, mailboxId: helloMailbox?.receiveId } });
    if (accepted.body.case !== "helloAccepted" || !serverProved(accepted.body.value, identityKey, connection.sessionNonce, clientNonce, helloMailbox)) {
      connection.close();
      throw new Error("the server could not prove it holds the pinned identity key; refusing to connect");
    }
    return connection;
  }

  get isOpen(): boolean {
    return !this.closed && this.pipe.isOpen;
  }

  /** A tunnel id not used before on this connection. */
  nextTunnelId(): number {
    return ++this.lastTunnelId;
  }

  /** Routes the tunnel's TunnelData pushes to `deliver` (an empty frame: the tunnel ended, also when this connection closes). */
  attachTunnel(id: number, deliver: (data: Uint8Array) => void): void {
    this.tunnels.set(id, deliver);
  }

  detachTunnel(id: number): void {
    this.tunnels.delete(id);
  }

  /**
   * Sends one request and waits for its response; an Error response is thrown as PurrError. `mailboxSigner`
   * (CreateRoom and JoinRoom of a persistent room) signs the same bytes with the named mailbox's recipient key.
   * `mailbox` proves a recipient request with the mailbox's key (ClientFrame.mailbox_mac) instead of `signer`.
   */
  request(op: RequestOp, signer?: Signer, mailboxSigner?: Signer, mailbox?: MailboxCredential): Promise<ServerFrame> {
    if (!this.isOpen) return Promise.reject(new ConnectionClosedError("the connection to the Purr server is closed"));
    const id = ++this.lastId;
    const requestBytes = toBinary(RequestSchema, create(RequestSchema, { id, op }));
    const frame = create(ClientFrameSchema, {
      request: requestBytes,
      signature: signer ? signer(requestBytes, this.sessionNonce) : new Uint8Array(0),
      mailboxSignature: mailboxSigner ? mailboxSigner(requestBytes, this.sessionNonce) : new Uint8Array(0),
      mailboxMac: mailbox ? mailboxMac(mailbox.key, this.sessionNonce, requestBytes) : new Uint8Array(0),
    });
    return new Promise<ServerFrame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ConnectionClosedError("the Purr server did not answer in time"));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, {
        resolve: f => {
          clearTimeout(timer);
          if (f.body.case === "error") reject(new PurrError(f.body.value.code, f.body.value.detail));
          else resolve(f);
        },
        reject: e => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.pipe.send(toBinary(ClientFrameSchema, frame));
    });
  }

  close(): void {
    if (!this.closed) {
      this.closed = true;
      this.pipe.close();
      this.fail();
    }
  }

  private listen(early: Uint8Array[]): void {
    const receive = (bytes: Uint8Array) => {
      let frame: ServerFrame;
      try {
        frame = fromBinary(ServerFrameSchema, bytes);
      } catch {
        return;
      }
      const waiting = frame.requestId !== 0n ? this.pending.get(frame.requestId) : undefined;
      if (waiting) {
        this.pending.delete(frame.requestId);
        waiting.resolve(frame);
      } else if (frame.body.case === "tunnelData") {
        const deliver = this.tunnels.get(frame.body.value.tunnelId);
        if (frame.body.value.data.length === 0) this.tunnels.delete(frame.body.value.tunnelId);
        deliver?.(frame.body.value.data);
      } else {
        this.onPush(frame);
      }
    };
    for (const frame of early) receive(frame);
    this.pipe.attach(receive, () => {
      this.closed = true;
      this.fail();
      this.onClose();
    });
  }

  private fail(): void {
    const error = new ConnectionClosedError("the connection to the Purr server closed");
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
    const tunnels = [...this.tunnels.values()];
    this.tunnels.clear();
    for (const deliver of tunnels) deliver(new Uint8Array(0));
  }
}

/**
 * The server's proof in its HelloAccepted: the mailbox MAC when the hello named a mailbox and the server sent one, else
 * the identity key's signature (a server from before mailbox keys ignores the mailbox and signs).
 */
function serverProved(
  accepted: { signature: Uint8Array; mac: Uint8Array }, identityKey: Uint8Array, sessionNonce: Uint8Array, clientNonce: Uint8Array,
  helloMailbox?: MailboxCredential): boolean {
  if (helloMailbox && accepted.mac.length > 0) return macMatches(helloMac(helloMailbox.key, sessionNonce, clientNonce), accepted.mac);
  return verify(identityKey, serverHello(sessionNonce, clientNonce), accepted.signature);
}
