namespace Purr.Client;

public sealed class PurrConnectionOptions
{
    /// <summary>Connect with wss:// instead of ws://. The server key is checked either way.</summary>
    public bool UseTls { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a request waits for its response.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Pushed events held before the library stops reading (which in turn slows the server).</summary>
    public int EventQueueCapacity { get; init; } = 1024;

    /// <summary>What the server's registration policy asks of each mailbox or room this connection creates; null: nothing.</summary>
    public Registration.IRegistrationCredentials? Registration { get; init; }

    /// <summary>
    /// A mailbox this connection is for, whose key the client holds: the hello names it, and the server proves its
    /// identity with that key instead of a signature (saving a verification here and a signature there). It tells the
    /// server which mailbox the connection is for before the first request does; leave it null on a connection that
    /// should not be tied to this mailbox.
    /// </summary>
    public MailboxCredential? HelloMailbox { get; init; }

    /// <summary>
    /// The mailbox key of a mailbox this client holds, by receive id, or null (PROTOCOL.md 4, "Mailbox keys"): requests for
    /// a mailbox that has one carry its MAC instead of the recipient key's signature, and fall back to the signature once
    /// when the server refuses the MAC.
    /// </summary>
    public Func<byte[], byte[]?>? MailboxKeys { get; init; }

    /// <summary>
    /// Told the receive id of a mailbox whose key from <see cref="MailboxKeys"/> the server refused (before the signed retry):
    /// a key that keeps failing would count towards the server's failed-authentication limit on every request.
    /// </summary>
    public Action<byte[]>? MailboxKeyRefused { get; init; }

    /// <summary>The protocol version to ask for; only tests set another.</summary>
    public uint ProtocolVersion { get; init; } = Protocol.ProtocolVersion.Current;
}
