using Purr.Client.History;
using Purr.Client.Messaging;
using Purr.Client.Rooms;

namespace Purr.Cli.Commands;

/// <summary>A room's texts kept in the profile's history (PROTOCOL.md 9, "History"): what was said and sent, with who said it.</summary>
internal static class RoomHistory
{
    public static void Received(Messenger messenger, string room, RoomSession session, RoomUpdate update)
    {
        // An echo of this member's own text was kept when it was sent.
        if (update is RoomText text && !text.Sender.AsSpan().SequenceEqual(session.MemberKey))
        {
            messenger.History.Append(new HistoryEntry(
                room, Outgoing: false, text.Text, text.SentAt, text.MessageId, ExpiryOf(text.DisappearAfter), Room: true,
                Sender: text.Whisper ? $"{text.SenderName} (whisper)" : text.SenderName));
        }
    }

    public static void Sent(Messenger messenger, string room, RoomSession session, string text, string messageId) =>
        messenger.History.Append(new HistoryEntry(room, Outgoing: true, text, DateTimeOffset.UtcNow, messageId, ExpiryOf(session.DisappearAfterSeconds), Room: true));

    private static DateTimeOffset? ExpiryOf(uint seconds) => DisappearingMessages.ExpiryOf(DateTimeOffset.UtcNow, seconds);
}
