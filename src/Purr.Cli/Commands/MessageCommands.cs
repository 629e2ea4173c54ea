using System.Globalization;
using Purr.Client.Messaging;

namespace Purr.Cli.Commands;

internal static class MessageCommands
{
    public static async Task<int> SendAsync(CliContext context)
    {
        var name = context.Line.Argument(0, "a contact name");
        var text = context.Line.Argument(1, "the text to send");
        context.Line.Expect(2);
        await using var messenger = context.OpenMessenger();
        string id;
        using (new Spinner("sending"))
        {
            id = await messenger.SendTextAsync(name, text);
        }

        context.Out.Result(new { to = name, messageId = id, status = "sent" }, $"sent to {name}");
        return 0;
    }

    public static async Task<int> ReceiveAsync(CliContext context)
    {
        context.Line.Expect(0);
        var wait = TimeSpan.FromSeconds(double.Parse(context.Line.Option("--wait") ?? "0", CultureInfo.InvariantCulture));
        await using var messenger = context.OpenMessenger();
        IReadOnlyList<MessengerEvent> events;
        using (new Spinner(wait > TimeSpan.Zero ? "waiting for messages" : "fetching messages"))
        {
            events = await messenger.ReceiveAsync(wait);
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

    public static async Task<int> ChatAsync(CliContext context)
    {
        var name = context.Line.Argument(0, "a contact name");
        await using var messenger = context.OpenMessenger();
        _ = messenger.Contact(name);
        using var stop = new CancellationTokenSource();
        foreach (var waiting in await messenger.ReceiveAsync(TimeSpan.Zero))
        {
            Console.Out.WriteLine(Format(waiting));
        }

        Console.Out.WriteLine($"chatting with {name}; type a message and press Enter, /quit to leave");
        var listening = messenger.ListenAsync(e =>
        {
            Console.Out.WriteLine(Format(e));
            return false;
        }, stop.Token);

        while (await Console.In.ReadLineAsync() is { } input)
        {
            if (input.Trim() == "/quit")
            {
                break;
            }

            if (input.Length > 0)
            {
                await messenger.SendTextAsync(name, input);
            }
        }

        await stop.CancelAsync();
        try
        {
            await listening;
        }
        catch (OperationCanceledException)
        {
        }

        return 0;
    }

    private static string Format(MessengerEvent item) => item switch
    {
        TextReceived text => $"[{text.SentAt.ToLocalTime():HH:mm}] {text.Contact}: {text.Text}",
        ContactEstablished established => $"* {established.Contact} is connected ({established.DisplayName})",
        MessagesDelivered delivered => $"* {delivered.Contact} received {delivered.MessageIds.Count} message(s)",
        ContactRenamed renamed => $"* {renamed.Contact} is now called {renamed.DisplayName}",
        ContactMovedMailbox moved => $"* {moved.Contact} moved to a new mailbox",
        MailboxMoveCompleted done => $"* {done.Contact} now sends to your new mailbox",
        ContactRemovedUs removed => $"* {removed.Contact} removed you; the contact is gone",
        UndecryptableMessage bad => $"* a message from {bad.Contact} could not be decrypted and was dropped",
        _ => item.ToString(),
    };

    private static object Describe(MessengerEvent item) => item switch
    {
        TextReceived text => new { type = "text", from = text.Contact, text = text.Text, messageId = text.MessageId, sentAt = text.SentAt },
        ContactEstablished established => new { type = "contact", contact = established.Contact, displayName = established.DisplayName },
        MessagesDelivered delivered => new { type = "delivered", contact = delivered.Contact, messageIds = delivered.MessageIds },
        _ => new { type = item.GetType().Name, contact = item.Contact },
    };
}
