// One way of exchanging whole frames with a Purr server: the page's WebSocket, or a relayed connection (a tunnel,
// PROTOCOL.md 15.6) through it. PurrConnection runs the same protocol over either. Frames that arrive before the
// connection takes them wait here, so none is lost between opening a pipe and reading from it.

export abstract class FramePipe {
  private queued: Uint8Array[] | null = [];
  private closedEarly = false;
  private frameHandler: (frame: Uint8Array) => void = () => {};
  private closeHandler: () => void = () => {};

  abstract get isOpen(): boolean;
  abstract send(frame: Uint8Array): void;
  abstract close(): void;

  /** Starts delivering: first what waited, then each frame as it comes; `onClose` once, when the pipe ends. */
  attach(onFrame: (frame: Uint8Array) => void, onClose: () => void): void {
    this.frameHandler = onFrame;
    this.closeHandler = onClose;
    const waiting = this.queued ?? [];
    this.queued = null;
    for (const frame of waiting) onFrame(frame);
    if (this.closedEarly) onClose();
  }

  protected deliver(frame: Uint8Array): void {
    if (this.queued) this.queued.push(frame);
    else this.frameHandler(frame);
  }

  protected ended(): void {
    if (this.queued) this.closedEarly = true;
    else this.closeHandler();
  }
}

/** The page's WebSocket to its own server. */
export class WebSocketPipe extends FramePipe {
  private readonly socket: WebSocket;

  constructor(url: string) {
    super();
    this.socket = new WebSocket(url);
    this.socket.binaryType = "arraybuffer";
    this.socket.onmessage = event => this.deliver(new Uint8Array(event.data as ArrayBuffer));
    this.socket.onclose = () => this.ended();
    this.socket.onerror = () => {};
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  send(frame: Uint8Array): void {
    this.socket.send(frame as Uint8Array<ArrayBuffer>);
  }

  close(): void {
    this.socket.close();
  }
}
