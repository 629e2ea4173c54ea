namespace Purr.Client.History;

/// <summary>
/// One message in a chat's history: what was said, by whom (Outgoing: this profile), and when; a disappearing one
/// also when it is deleted (<paramref name="ExpiresAt"/>). In a room's history (<paramref name="Room"/>),
/// <paramref name="Chat"/> is the room's name in the profile and <paramref name="Sender"/> the name the member used.
/// </summary>
public sealed record HistoryEntry(
    string Chat, bool Outgoing, string Text, DateTimeOffset At, string MessageId, DateTimeOffset? ExpiresAt = null, bool Room = false, string? Sender = null);
