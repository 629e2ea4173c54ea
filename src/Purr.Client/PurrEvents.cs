using Purr.Protocol.V1;

namespace Purr.Client;

/// <summary>Something the server pushed without being asked.</summary>
public abstract record PurrEvent;

/// <summary>A message from a subscribed mailbox. Ack it (unless <paramref name="Live"/>) to get the next one.</summary>
public sealed record MessageReceived(byte[] ReceiveId, byte[] MessageId, byte[] Payload, DateTimeOffset ReceivedAt, bool Live) : PurrEvent;

/// <summary>Another connection subscribed to this mailbox; this one no longer receives from it.</summary>
public sealed record SubscriptionEnded(byte[] ReceiveId) : PurrEvent;

/// <summary>An error not tied to a request (a malformed frame, a handshake timeout, the server shutting down).</summary>
public sealed record ServerError(ErrorCode Code, string Detail) : PurrEvent;

/// <summary>A room event pushed to this connection (transient rooms, and control events of any room).</summary>
public sealed record RoomEventReceived(RoomEvent Event) : PurrEvent;

/// <summary>
/// The server operator's announcement, verified against the server key the address pins and not yet expired
/// (anything else is dropped before it becomes an event). The same broadcast arrives on every new connection
/// while it lasts: <paramref name="Id"/> tells repeats apart.
/// </summary>
public sealed record ServerBroadcastReceived(string Id, string Text, DateTimeOffset SentAt, DateTimeOffset ExpiresAt) : PurrEvent;
