// A relayed connection (PROTOCOL.md 15.6): frames to another server carried by the page's own server over its
// federation link, inside Noise_NX with that server (as the C# client's TunnelClientTransport). The page's server
// sees which server and how much, never what; the other server never sees this browser.
import { ErrorCode } from "../gen/purr/v1/errors_pb";
import { NoiseNxInitiator, type NoiseCipherState } from "../crypto/noise-nx";
import { constantTimeEqual, verify } from "../crypto/sodium";
import type { RandomSource } from "../crypto/random";
import { serverX25519 } from "../protocol/signed-bytes";
import { FramePipe } from "./pipe";
import { PurrError, type PurrConnection } from "./connection";

const PROLOGUE = new TextEncoder().encode("purr/v1 tunnel\0");
const PROOF_BYTES = 32 + 64;
const EMPTY = new Uint8Array(0);

export class TunnelPipe extends FramePipe {
  private open = false;
  private outbound?: NoiseCipherState;
  private inbound?: NoiseCipherState;
  /** Frames that came before the handshake finished (a server may push before its answer): read once the keys are there. */
  private early: Uint8Array[] | null = [];

  private constructor(private readonly home: PurrConnection, private readonly id: number) {
    super();
  }

  /**
   * Opens a tunnel to `destination` (a purr:// address) through `home` and checks the destination's proof against
   * `identityKey`, the key its address pins. The home server's refusal comes as PurrError (PEER_REFUSED: it does not
   * relay there).
   */
  static async open(home: PurrConnection, destination: string, identityKey: Uint8Array, random: RandomSource): Promise<TunnelPipe> {
    const pipe = new TunnelPipe(home, home.nextTunnelId());
    home.attachTunnel(pipe.id, data => pipe.onData(data));
    try {
      const noise = new NoiseNxInitiator(PROLOGUE, random);
      const answer = await home.request({ case: "tunnelOpen", value: { tunnelId: pipe.id, destination, handshake: noise.writeFirst() } });
      if (answer.body.case !== "tunnelOpened") throw new PurrError(ErrorCode.INTERNAL, "unexpected answer to TunnelOpen");
      const proof = noise.readSecond(answer.body.value.handshake);
      const staticKey = noise.remoteStaticKey;
      if (!proof || proof.length !== PROOF_BYTES || !staticKey
        || !constantTimeEqual(proof.subarray(0, 32), identityKey) || !verify(identityKey, serverX25519(staticKey), proof.subarray(32))) {
        throw new Error("the other server, reached through yours, could not prove the key its address pins; refusing to connect");
      }
      [pipe.outbound, pipe.inbound] = noise.split();
      pipe.open = true;
      const early = pipe.early ?? [];
      pipe.early = null;
      for (const data of early) pipe.onData(data);
      return pipe;
    } catch (e) {
      pipe.close();
      throw e;
    }
  }

  get isOpen(): boolean {
    return this.open && this.home.isOpen;
  }

  /** Encrypts and hands the frame to the page's server at once, so frames leave in order. */
  send(frame: Uint8Array): void {
    if (!this.open || !this.outbound) return;
    const data = this.outbound.encrypt(EMPTY, frame);
    this.home.request({ case: "tunnelSend", value: { tunnelId: this.id, data } }).catch(() => this.end());
  }

  close(): void {
    const wasOpen = this.open;
    this.open = false;
    this.home.detachTunnel(this.id);
    if (this.home.isOpen) this.home.request({ case: "tunnelSend", value: { tunnelId: this.id, data: EMPTY } }).catch(() => undefined);
    if (wasOpen) this.ended();
  }

  private onData(data: Uint8Array): void {
    if (this.early && data.length > 0) {
      this.early.push(data);
      return;
    }
    if (data.length === 0 || !this.inbound) {
      this.end();
      return;
    }
    const frame = this.inbound.decrypt(EMPTY, data);
    if (!frame) {
      // Not from the destination, or out of order: nothing after it could be trusted.
      this.close();
      return;
    }
    if (frame.length === 0) {
      // A keep-alive: the destination ends a tunnel that answers nothing for its idle timeout.
      this.send(EMPTY);
      return;
    }
    this.deliver(frame);
  }

  private end(): void {
    if (!this.open) return;
    this.open = false;
    this.home.detachTunnel(this.id);
    this.ended();
  }
}
