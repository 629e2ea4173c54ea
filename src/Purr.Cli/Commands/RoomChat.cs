using Purr.Cli.Terminal;
using Purr.Client;
using Purr.Client.Messaging;
using Purr.Client.Profiles;
using Purr.Client.Rooms;

namespace Purr.Cli.Commands;

/// <summary>
/// `purr room chat ROOM`: talk in a room. The chat ends by itself when you are removed or the room ends (and
/// the room leaves the profile at once); it survives a server restart by resuming the membership.
/// </summary>
internal sealed class RoomChat : IAsyncDisposable
{
    private const string Help = "commands: /help  /members  /purr MEMBER TEXT (whisper)  /kick MEMBER  /ban MEMBER (kick, and keep out)  /link (the current invite link)  /topic TEXT  /disappear 1h|off  /exit [farewell] (leave)  /stop (end the room)  /quit (come back later)  //text sends a line starting with /";
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(15);
    private readonly Messenger messenger;
    private const int ScrollbackLines = 20;
    private readonly RoomRecord record;
    private readonly IChatConsole console;
    private readonly RoomUpdateText text = new();
    private readonly CancellationTokenSource ended = new();
    private RoomSession room;
    private string? endReason;
    private volatile bool leaving;

    private RoomChat(Messenger messenger, RoomRecord record, RoomSession room, IChatConsole console)
    {
        this.messenger = messenger;
        this.record = record;
        this.room = room;
        this.console = console;
    }

    public static async Task<int> RunAsync(CliContext context, string name)
    {
        var messenger = context.OpenMessenger();
        try
        {
            var record = RoomCommands.Find(messenger, name);
            var room = await RoomResume.ResumeAsync(messenger, record, await RoomResume.ConnectAsync(messenger, record));
            await using var chat = new RoomChat(messenger, record, room, ChatConsole.Create());
            return await chat.RunAsync();
        }
        finally
        {
            await messenger.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await room.DisposeAsync();
        console.Dispose();
        ended.Dispose();
    }

    private async Task<int> RunAsync()
    {
        foreach (var entry in messenger.History.Chat(record.Name, limit: ScrollbackLines, room: true))
        {
            console.Print($"[{TimeFormat.Date(entry.At)}] {(entry.Outgoing ? $"{room.DisplayName} (you)" : entry.Sender)}: {entry.Text}");
        }

        console.Print($"in '{record.Name}' as {room.DisplayName}; {Help}");
        console.Prompt = $"{record.Name}> ";
        var watching = Task.Run(() => WatchAsync(ended.Token));
        while (await console.ReadLineAsync(ended.Token) is { } input)
        {
            var line = input.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                if (await HandleAsync(line))
                {
                    break;
                }
            }
            catch (PurrConnectionException)
            {
                leaving = false;
                console.Print("! not sent: the server is unreachable; it is retried in the background, type the line again once reconnected");
            }
            catch (PurrClientException e)
            {
                leaving = false;
                console.Print($"! {e.Message}");
            }
        }

        await ended.CancelAsync();
        await watching;
        if (endReason is not null)
        {
            messenger.ForgetRoom(record.Name);
            console.Print($"{endReason}; '{record.Name}' was taken out of this profile");
        }
        else
        {
            record.State = room.Export();
            messenger.SaveRoom(record);
        }

        return 0;
    }

    /// <summary>One typed line; true when the chat should end.</summary>
    private async Task<bool> HandleAsync(string line)
    {
        if (!line.StartsWith('/') || line.StartsWith("//", StringComparison.Ordinal))
        {
            var message = line.StartsWith("//", StringComparison.Ordinal) ? line[1..] : line;
            RoomHistory.Sent(messenger, record.Name, room, message, await room.SendTextAsync(message));
            console.Print($"[{TimeFormat.Clock(DateTimeOffset.Now)}] {room.DisplayName} (you): {message}");
            return false;
        }

        var parts = line.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        switch (parts[0])
        {
            case "/quit" or "/q":
                return true;
            case "/exit":
                leaving = true;
                await room.ExitAsync(parts.Length > 1 ? line[6..].Trim() : "bye");
                endReason = "you left the room";
                return true;
            case "/stop":
                leaving = true;
                await room.StopAsync();
                endReason = "you ended the room for everyone";
                return true;
            case "/kick" or "/ban" when parts.Length >= 2:
                var ban = parts[0] == "/ban";
                await room.KickAsync(await RoomCommands.ResolveAsync(room, line[parts[0].Length..].Trim(), InChat: true), ban);
                console.Print(ban ? "* removed and banned; the room has a new link (/link)" : "* removed; the room has a new link (/link)");
                return false;
            case "/link":
                console.Print(room.Link.ToString());
                return false;
            case "/purr" when parts.Length == 3:
                await room.WhisperAsync(await RoomCommands.ResolveAsync(room, parts[1], InChat: true), parts[2]);
                console.Print($"[{TimeFormat.Clock(DateTimeOffset.Now)}] you → {parts[1]}: {parts[2]}");
                return false;
            case "/disappear" when parts.Length == 2:
                try
                {
                    var kept = await room.SetDisappearingAsync(DisappearCommand.Parse(parts[1]));
                    console.Print(kept == 0 ? "* disappearing messages are off" : $"* new texts disappear after {DisappearingMessages.Describe(kept)}, for everyone");
                }
                catch (UsageException e)
                {
                    console.Print($"! {e.Message}");
                }

                return false;
            case "/topic" when parts.Length >= 2:
                await room.SetTopicAsync(line[7..]);
                return false;
            case "/members":
                foreach (var member in await room.MembersAsync())
                {
                    console.Print($"  {member.Name} ({member.Role.ToString().ToLowerInvariant()}){(member.IsMe ? " you" : member.Connected ? " here" : "")}");
                }

                return false;
            case "/help" or "/?":
                console.Print(Help);
                return false;
            default:
                console.Print($"! unknown command or missing argument: {parts[0]}; nothing was sent. {Help}");
                return false;
        }
    }

    /// <summary>Prints updates; ends the chat on a kick or the room's end; resumes after a lost connection.</summary>
    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var update in room.Updates.ReadAllAsync(cancellationToken))
                {
                    RoomHistory.Received(messenger, record.Name, room, update);
                    if (text.Format(update) is { } shown)
                    {
                        console.Print(shown);
                    }

                    if (update is RoomKicked or RoomEnded)
                    {
                        endReason = update is RoomKicked ? "you were removed from the room" : "the room was ended";
                        await ended.CancelAsync();
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            // The updates ended without a word from the room: the connection went. Resume on a new one.
            if (leaving || cancellationToken.IsCancellationRequested || !await ReconnectAsync(cancellationToken))
            {
                return;
            }
        }
    }

    private async Task<bool> ReconnectAsync(CancellationToken cancellationToken)
    {
        console.Print("* disconnected from the server; retrying…");
        console.Prompt = $"(offline) {record.Name}> ";
        var retry = TimeSpan.FromMilliseconds(500);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var connection = await messenger.RoomConnectionAsync(record);
                record.State = room.Export();
                var resumed = await RoomSession.ResumeAsync(connection, record.State);
                await room.DisposeAsync();
                room = resumed;
                console.Print("* reconnected");
                console.Prompt = $"{record.Name}> ";
                return true;
            }
            catch (PurrProtocolException e) when (e.Code == Protocol.V1.ErrorCode.Auth)
            {
                endReason = "the room is gone (it ended while the server was away, or you were removed)";
                await ended.CancelAsync();
                return false;
            }
            catch (PurrConnectionException)
            {
                try
                {
                    await Task.Delay(retry, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return false;
                }

                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LongestRetry.Ticks));
            }
        }

        return false;
    }
}
