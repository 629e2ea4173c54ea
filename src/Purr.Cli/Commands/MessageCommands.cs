using System.CommandLine;
using Purr.Client.Messaging;
using static Purr.Cli.CommandBuilding;

namespace Purr.Cli.Commands;

internal static class MessageCommands
{
    private static readonly Argument<string> Contact = Positional("name", "the contact's name in this profile");
    private static readonly Argument<string> MessageText = Positional("text", "what to send (quote it)");
    private static readonly Option<double> Wait = Seconds("--wait", "if nothing is waiting, wait this long for the first message", 0);

    public static IEnumerable<Command> All() =>
    [
        new Command("send", "send a message").With(Contact, MessageText).Runs(SendAsync),
        new Command("receive", "fetch messages (and finish handshakes)").With(Wait).Runs(ReceiveAsync),
        new Command("chat", "talk with a contact interactively; /help inside lists the commands").With(Contact).Runs(context => ContactChat.RunAsync(context, context.Value(Contact))),
    ];

    private static async Task<int> SendAsync(CliContext context)
    {
        var name = context.Value(Contact);
        await using var messenger = context.OpenMessenger();
        string id;
        using (new Spinner("sending"))
        {
            id = await messenger.SendTextAsync(name, context.Value(MessageText));
        }

        context.Out.Result(new { to = name, messageId = id, status = "sent" }, $"sent to {name}");
        return 0;
    }

    private static async Task<int> ReceiveAsync(CliContext context)
    {
        var wait = TimeSpan.FromSeconds(context.Value(Wait));
        await using var messenger = context.OpenMessenger();
        IReadOnlyList<MessengerEvent> events;
        using (new Spinner(wait > TimeSpan.Zero ? "waiting for messages" : "fetching messages"))
        {
            events = await messenger.ReceiveAsync(wait, change =>
                Output.Error(change.Connected ? "reconnected" : "disconnected from the server; retrying…"));
        }

        if (context.Out.Json)
        {
            context.Out.Result(events.Select(Describe).ToList(), "");
        }
        else
        {
            foreach (var item in events)
            {
                Console.Out.WriteLine(Format(item));
            }

            if (events.Count == 0)
            {
                Console.Out.WriteLine("no new messages");
            }
        }

        return 0;
    }

    public static string Format(MessengerEvent item) => item switch
    {
        TextReceived text => $"[{TimeFormat.Clock(text.SentAt)}] {text.Contact}: {text.Text}",
        ContactEstablished established => $"* {established.Contact} is connected ({established.DisplayName})",
        MessagesDelivered delivered => $"* {delivered.Contact} received {delivered.MessageIds.Count} message(s)",
        ContactRenamed renamed => $"* {renamed.Contact} is now called {renamed.DisplayName}",
        DisappearingTimerChanged timer => timer.Seconds == 0
            ? $"* {timer.Contact} turned disappearing messages off"
            : $"* {timer.Contact} set disappearing messages to {DisappearingMessages.Describe(timer.Seconds)}: new messages on both sides are deleted then",
        ContactMovedMailbox moved => $"* {moved.Contact} moved to a new mailbox",
        MailboxMoveCompleted done => $"* {done.Contact} now sends to your new mailbox",
        ContactRemovedUs removed => $"* {removed.Contact} removed you; the contact is gone",
        ContactRequestReceived { Contact.Length: > 0 } accepted => $"* {accepted.DisplayName} asked for contact through your address and was accepted as '{accepted.Contact}'{Note(accepted.Message)}",
        ContactRequestReceived request => $"* contact request {request.RequestId} from {request.DisplayName}{Note(request.Message)}: purr requests accept {request.RequestId} (or reject)",
        PresenceChanged presence => $"* {presence.Contact} is {PresenceCommands.Name(presence.Status)}{(presence.Text.Length > 0 ? $": {presence.Text}" : "")}",
        UndecryptableMessage bad => $"* a message from {bad.Contact} could not be decrypted and was dropped",
        ServerUnreachable away => $"* could not reach {away.Server}; the mailboxes there were not read ({away.Reason})",
        TextSentElsewhere sent => $"[{TimeFormat.Clock(sent.SentAt)}] you → {sent.Contact} (from another device): {sent.Text}",
        ContactDevicesChanged devices => $"* {devices.Contact} now uses {devices.Devices} device(s)",
        OwnDevicesChanged { Devices: 0 } => "* this device was revoked from another of your devices: it no longer receives as this profile",
        OwnDevicesChanged own => $"* your devices changed: {own.Devices + 1} now",
        DeviceLinked linked => $"* {linked.Device} is linked",
        RoomCarried { Joined: true } room => $"* joined the room {room.Room}, as your other device did",
        RoomCarried room => $"* your other device joined the room {room.Room}; this one could not (locked or a password): join it with its link",
        ProfileLinked linked => $"* this device received the profile ({linked.Contacts} contact(s), {linked.Rooms} room(s))",
        ServerAnnouncement announcement => $"*** ANNOUNCEMENT from your server's operator ({TimeFormat.Date(announcement.SentAt)}, signed by the server key): {announcement.Text}",
        _ => item.ToString(),
    };

    private static string Note(string message) => message.Length > 0 ? $": \"{message}\"" : "";

    private static object Describe(MessengerEvent item) => item switch
    {
        TextReceived text => new { type = "text", from = text.Contact, text = text.Text, messageId = text.MessageId, sentAt = text.SentAt },
        ContactEstablished established => new { type = "contact", contact = established.Contact, displayName = established.DisplayName },
        MessagesDelivered delivered => new { type = "delivered", contact = delivered.Contact, messageIds = delivered.MessageIds },
        ContactRequestReceived request => new { type = "request", id = request.RequestId, contact = request.Contact, displayName = request.DisplayName, message = request.Message },
        DisappearingTimerChanged timer => new { type = "disappearing", contact = timer.Contact, seconds = timer.Seconds },
        PresenceChanged presence => new { type = "presence", contact = presence.Contact, status = PresenceCommands.Name(presence.Status), text = presence.Text },
        TextSentElsewhere sent => new { type = "sent", to = sent.Contact, text = sent.Text, messageId = sent.MessageId, sentAt = sent.SentAt },
        ServerUnreachable away => new { type = "unreachable", server = away.Server, error = away.Reason },
        ServerAnnouncement announcement => new { type = "announcement", server = announcement.Server, text = announcement.Text, sentAt = announcement.SentAt },
        _ => new { type = item.GetType().Name, contact = item.Contact },
    };
}
