using Purr.Cli.Terminal;
using Purr.Client;
using Purr.Client.Messaging;

namespace Purr.Cli.Commands;

/// <summary>
/// `purr chat NAME`: one contact, interactively. It outlives the server: on a restart it says so, reconnects
/// and fetches what arrived meanwhile; lines typed while the server is away wait and are sent when it is back
/// (or listed as unsent when you quit).
/// </summary>
internal sealed class ContactChat : IAsyncDisposable
{
    private const string Help = "commands: /help  /disappear 1h|off  /quit (or Ctrl+D)  //text sends a line starting with /";
    private const int ScrollbackLines = 20;
    private readonly Messenger messenger;
    private readonly string name;
    private readonly IChatConsole console;
    private readonly Queue<string> unsent = new();
    private readonly SemaphoreSlim sending = new(1, 1);
    private bool online = true;

    private ContactChat(Messenger messenger, string name, IChatConsole console)
    {
        this.messenger = messenger;
        this.name = name;
        this.console = console;
    }

    public static async Task<int> RunAsync(CliContext context, string name)
    {
        var messenger = context.OpenMessenger();
        try
        {
            _ = messenger.Contact(name);
        }
        catch
        {
            // No such contact: nothing to chat with, and the profile's connections close with the messenger.
            await messenger.DisposeAsync();
            throw;
        }

        await using var chat = new ContactChat(messenger, name, ChatConsole.Create());
        return await chat.RunAsync();
    }

    public async ValueTask DisposeAsync()
    {
        console.Dispose();
        await messenger.DisposeAsync();
    }

    private async Task<int> RunAsync()
    {
        using var stop = new CancellationTokenSource();
        // Scrollback: the last lines kept on this device ('purr history' has the rest).
        foreach (var entry in messenger.History.Chat(name, limit: ScrollbackLines))
        {
            console.Print($"[{TimeFormat.Date(entry.At)}] {(entry.Outgoing ? "you" : name)}: {entry.Text}");
        }

        try
        {
            foreach (var waiting in await messenger.ReceiveAsync(TimeSpan.Zero))
            {
                Show(waiting);
            }
        }
        catch (PurrConnectionException)
        {
            SetOnline(false);
        }

        var contact = messenger.Contact(name);
        console.Print($"chatting with {name}{(contact.DisplayName.Length > 0 ? $" ({contact.DisplayName})" : "")}; {Help}");
        UpdatePrompt();
        var listening = messenger.ListenAsync(e =>
        {
            Show(e);
            return false;
        }, OnConnection, stop.Token);

        // While the chat runs this profile is online for its contacts (if presence is on); leaving says so.
        await AnnounceAsync(offline: false);

        while (await console.ReadLineAsync(stop.Token) is { } input)
        {
            var text = input.Trim();
            if (text.Length == 0)
            {
                continue;
            }

            if (text.StartsWith('/') && !text.StartsWith("//", StringComparison.Ordinal))
            {
                if (text is "/quit" or "/exit" or "/q")
                {
                    break;
                }

                if (text.StartsWith("/disappear", StringComparison.Ordinal))
                {
                    await SetDisappearingAsync(text["/disappear".Length..].Trim());
                    continue;
                }

                console.Print(text is "/help" or "/?" ? Help : $"! unknown command {text.Split(' ')[0]}: nothing was sent. {Help}");
                continue;
            }

            lock (unsent)
            {
                unsent.Enqueue(text.StartsWith("//", StringComparison.Ordinal) ? text[1..] : text);
            }

            await SendWaitingAsync();
        }

        await stop.CancelAsync();
        await listening.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await AnnounceAsync(offline: true);
        lock (unsent)
        {
            if (unsent.Count > 0)
            {
                console.Print($"! {unsent.Count} line(s) were not sent (the server was unreachable):");
                foreach (var line in unsent)
                {
                    console.Print($"  {line}");
                }

                return 1;
            }
        }

        return 0;
    }

    private void OnConnection(ServerConnectionChanged change)
    {
        SetOnline(change.Connected);
        if (change.Connected)
        {
            _ = SendWaitingAsync();
        }
    }

    private void SetOnline(bool connected)
    {
        if (online == connected)
        {
            return;
        }

        online = connected;
        console.Print(connected ? "* reconnected" : "* disconnected from the server; retrying… (lines you type are sent when it is back)");
        UpdatePrompt();
    }

    private void UpdatePrompt() => console.Prompt = online ? $"{name}> " : $"(offline) {name}> ";

    /// <summary>Sends the waiting lines in order; stops at the first that cannot reach the server (kept for later).</summary>
    private async Task SendWaitingAsync()
    {
        await sending.WaitAsync();
        try
        {
            while (true)
            {
                string next;
                lock (unsent)
                {
                    if (!unsent.TryPeek(out next!))
                    {
                        return;
                    }
                }

                try
                {
                    await messenger.SendTextAsync(name, next);
                }
                catch (PurrConnectionException)
                {
                    SetOnline(false);
                    int waiting;
                    lock (unsent)
                    {
                        waiting = unsent.Count;
                    }

                    console.Print($"! not sent yet: {waiting} line(s) wait for the server");
                    return;
                }
                catch (PurrClientException e)
                {
                    lock (unsent)
                    {
                        unsent.Dequeue();
                    }

                    console.Print($"! not sent: {e.Message}");
                    continue;
                }

                lock (unsent)
                {
                    unsent.Dequeue();
                }

                console.Print($"[{TimeFormat.Clock(DateTimeOffset.Now)}] you: {next}");
            }
        }
        finally
        {
            sending.Release();
        }
    }

    private async Task AnnounceAsync(bool offline)
    {
        try
        {
            await messenger.AnnouncePresenceAsync(offline);
        }
        catch (PurrConnectionException)
        {
            // Presence is best effort.
        }
    }

    private void Show(MessengerEvent item)
    {
        // Presence of other contacts is noise here; this contact's is worth a line.
        if (item is PresenceChanged presence && presence.Contact != name)
        {
            return;
        }

        // Receipts are the normal case in a live chat: not worth a line each.
        if (item is not MessagesDelivered)
        {
            console.Print(MessageCommands.Format(item));
        }
    }

    /// <summary>/disappear 1h|off: the chat's timer for both sides; a mistake is said and nothing is sent.</summary>
    private async Task SetDisappearingAsync(string when)
    {
        try
        {
            var kept = await messenger.SetDisappearingAsync(name, DisappearCommand.Parse(when.Length == 0 ? "?" : when));
            console.Print(kept == 0 ? "* disappearing messages are off" : $"* new messages disappear after {DisappearingMessages.Describe(kept)}, on both sides");
        }
        catch (Exception e) when (e is UsageException or PurrClientException)
        {
            console.Print($"! {e.Message}");
        }
    }
}
