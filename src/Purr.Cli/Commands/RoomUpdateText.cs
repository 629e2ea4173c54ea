using Purr.Client.Rooms;

namespace Purr.Cli.Commands;

/// <summary>
/// Room updates as lines. Stateful: a member who said a farewell and then left shows one line, not two.
/// Joins are shown when the joiner's hello names it ("Bob joined"), not as an anonymous key.
/// </summary>
internal sealed class RoomUpdateText
{
    private readonly HashSet<string> saidFarewell = [];
    private readonly HashSet<string> announced = [];

    /// <summary>The line for an update, or null when it is not worth one.</summary>
    public string? Format(RoomUpdate update)
    {
        switch (update)
        {
            case RoomText { Whisper: true } text:
                return $"[{TimeFormat.Clock(text.SentAt)}] {text.SenderName} (whispers): {text.Text}";
            case RoomText text:
                return $"[{TimeFormat.Clock(text.SentAt)}] {text.SenderName}: {text.Text}";
            case RoomFarewell farewell:
                saidFarewell.Add(Convert.ToHexStringLower(farewell.Sender));
                return $"* {farewell.SenderName} left: {farewell.Text}";
            case RoomMemberJoined { Name: { } name } joined:
                announced.Add(Convert.ToHexStringLower(joined.Member));
                return $"* {name} joined";
            case RoomMemberJoined:
                // No name with the join (an older client): its hello names it.
                return null;
            case RoomMemberHello hello:
                return announced.Remove(Convert.ToHexStringLower(hello.Member)) ? null : $"* {hello.Name} joined";
            case RoomMemberLeft { Kicked: true } kicked:
                return $"* {kicked.Name} was removed";
            case RoomMemberLeft left:
                return saidFarewell.Remove(Convert.ToHexStringLower(left.Member)) ? null : $"* {left.Name} left";
            case RoomKicked:
                return "* you were removed from the room";
            case RoomEnded:
                return "* the room was ended by its owner";
            case RoomTopicChanged topic:
                return $"* topic: {topic.Topic}";
            case RoomTimerChanged { Seconds: 0 } timer:
                return $"* {timer.SenderName} turned disappearing messages off";
            case RoomTimerChanged timer:
                return $"* {timer.SenderName} set disappearing messages to {Client.Messaging.DisappearingMessages.Describe(timer.Seconds)}: new texts are deleted then, for everyone";
            case RoomLinkChanged:
                return "* the room's link changed (the old one no longer works); /link shows the new one";
            case RoomUndecryptable:
                return "* a message failed its checks and was dropped";
            default:
                return null;
        }
    }

    public static object Describe(RoomUpdate update) => update switch
    {
        RoomText text => new { type = "text", from = text.SenderName, text = text.Text, whisper = text.Whisper, messageId = text.MessageId, sentAt = text.SentAt },
        RoomFarewell farewell => new { type = "farewell", from = farewell.SenderName, text = farewell.Text },
        RoomMemberJoined joined => new { type = "joined", name = joined.Name },
        RoomMemberHello hello => new { type = "hello", name = hello.Name },
        RoomMemberLeft left => new { type = "left", name = left.Name, kicked = left.Kicked },
        RoomTopicChanged topic => new { type = "topic", topic = topic.Topic },
        RoomTimerChanged timer => new { type = "disappearing", from = timer.SenderName, seconds = timer.Seconds },
        RoomLinkChanged changed => new { type = "link", link = changed.Link },
        RoomKicked => new { type = "removed" },
        RoomEnded => new { type = "ended" },
        _ => new { type = update.GetType().Name },
    };
}
