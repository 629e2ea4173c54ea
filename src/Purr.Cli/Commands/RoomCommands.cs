using System.CommandLine;
using Purr.Client;
using Purr.Client.Messaging;
using Purr.Client.Profiles;
using Purr.Client.Rooms;
using Purr.Protocol;
using Purr.Protocol.V1;
using static Purr.Cli.CommandBuilding;

namespace Purr.Cli.Commands;

/// <summary>`purr room …`: rooms from the terminal. Each command resumes the membership saved in the profile.</summary>
internal static class RoomCommands
{
    private static readonly Argument<string> Room = Positional("room", "the room's name in this profile");
    private static readonly Argument<string> Member = Positional("member", "a member's name (any case) or the start of its key, as 'purr room members' shows");
    private static readonly Argument<string> MessageText = Positional("text", "what to send (quote it)");
    private static readonly Argument<string> Link = Positional("link", "the purr:room/…#… link");
    private static readonly Option<bool> Transient = Flag("--transient", "lives while someone is in it, plus a short grace (the default)");
    private static readonly Option<bool> Persistent = Flag("--persistent", "lasts until stopped; members get what was said while away");
    private static readonly Option<string?> Name = Text("--name", "the room's name in this profile (and, for create, in the link)", "NAME");
    private static readonly Option<string?> DisplayName = Text("--display-name", "your name in the room (default: the profile's)", "NAME");
    private static readonly Option<string?> As = Text("--as", "your name in the room", "NAME", required: true);
    private static readonly Option<string?> Password = Text("--password", "a password the room asks for", "PASSWORD");
    private static readonly Option<bool> Flat = Flag("--flat", "no owner powers: everyone may do everything");
    private static readonly Option<string?> Server = Text("--server", "the server (default: the profile's)", "ADDRESS");
    private static readonly Option<bool> Ban = Flag("--ban", "also keep the member out: the server refuses their profile's join tag from now on");
    private static readonly Option<bool> Qr = Flag("--qr", "also print the link as a QR code");
    private static readonly Option<double> Wait = Seconds("--wait", "wait this long for messages", 1);
    private static readonly Argument<string> After = Positional("after", "how long each new text lasts (30s, 10m, 1h, 7d, 4w) or off");

    public static Command Build() => new Command("room", "rooms: many people, one link").With(
        new Command("create", "create a room; prints the invite link (its key is after the #)").With(Transient, Persistent, Name, DisplayName, Password, Flat, Server).Runs(CreateAsync),
        new Command("join", "join a room by its link").With(Link, As, Name, Password).Runs(JoinAsync),
        new Command("chat", "talk in a room; /help inside lists the commands").With(Room).Runs(context => RoomChat.RunAsync(context, context.Value(Room))),
        new Command("send", "send a message to the room").With(Room, MessageText).Runs(context => WithRoomAsync(context, async (messenger, room) =>
        {
            var text = context.Value(MessageText);
            RoomHistory.Sent(messenger, context.Value(Room), room, text, await room.SendTextAsync(text));
            return "sent";
        })),
        new Command("whisper", "send a message only one member can read").With(Room, Member, MessageText)
            .Runs(context => WithRoomAsync(context, async room => { await room.WhisperAsync(await ResolveAsync(room, context.Value(Member), InChat: false), context.Value(MessageText)); return "whispered"; })),
        new Command("kick", "remove a member (owner and moderators); the room's link changes, so theirs stops working").With(Room, Member, Ban)
            .Runs(context => WithRoomAsync(context, async room =>
            {
                await room.KickAsync(await ResolveAsync(room, context.Value(Member), InChat: false), context.Value(Ban));
                return context.Value(Ban) ? "kicked and banned; the room has a new link ('purr room link')" : "kicked; the room has a new link ('purr room link')";
            })),
        new Command("link", "print the room's current invite link").With(Room, Qr).Runs(LinkAsync),
        new Command("clear-bans", "empty the room's ban list (owner and moderators)").With(Room)
            .Runs(context => WithRoomAsync(context, async room => { await room.ClearBansAsync(); return "the ban list is empty"; })),
        new Command("leave", "leave the room and forget it").With(Room).Runs(context => WithRoomAsync(context, async room => { await room.LeaveAsync(); return "left"; }, forget: true)),
        new Command("stop", "end the room for everyone (owner)").With(Room).Runs(context => WithRoomAsync(context, async room => { await room.StopAsync(); return "stopped"; }, forget: true)),
        new Command("disappear", "make new texts in the room disappear from every member's device after a while (30s, 10m, 1h, 7d, 4w) or stop it (off)")
            .With(Room, After).Runs(context => WithRoomAsync(context, async room =>
            {
                var kept = await room.SetDisappearingAsync(DisappearCommand.Parse(context.Value(After)));
                return kept == 0 ? "disappearing messages are off in this room" : $"new texts disappear {DisappearingMessages.Describe(kept)} after each member gets them";
            })),
        new Command("members", "list the members").With(Room).Runs(MembersAsync),
        new Command("receive", "print what was said").With(Room, Wait).Runs(ReceiveAsync),
        new Command("list", "the persistent rooms a server lists publicly").With(Server).Runs(ListAsync));

    private static async Task<int> CreateAsync(CliContext context)
    {
        if (context.Value(Transient) && context.Value(Persistent))
        {
            throw new UsageException("choose one of --transient and --persistent");
        }

        var kind = context.Value(Persistent) ? RoomKind.Persistent : RoomKind.Transient;
        var name = context.Value(Name) ?? $"room{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}";
        await using var messenger = context.OpenMessenger();
        EnsureFree(messenger, name);
        var server = context.Value(Server) ?? messenger.Data.Server;
        await using var connection = await ConnectAsync(messenger, server);
        var settings = new RoomSettings { Flat = context.Value(Flat) };
        await using var room = await RoomSession.CreateAsync(
            connection, kind, context.Value(DisplayName) ?? Fallback(messenger.Data.DisplayName), settings, context.Value(Password), name: context.Value(Name),
            joinTagSecret: messenger.RoomTagSecret());
        var record = new RoomRecord { Name = name, State = room.Export() };
        messenger.SaveRoom(record);
        await messenger.ShareRoomAsync(record);
        var link = room.Link.ToString();
        var note = kind == RoomKind.Transient ? "\n(transient: it lives while someone is in 'purr room chat', plus a short grace)" : "";
        context.Out.Result(new { room = name, kind = kind.ToString().ToLowerInvariant(), link }, $"room '{name}' created; share this link:\n{link}{note}");
        return 0;
    }

    private static async Task<int> JoinAsync(CliContext context)
    {
        var link = RoomLink.Parse(context.Value(Link));
        var displayName = context.Value(As)!;
        await using var messenger = context.OpenMessenger();
        var name = context.Value(Name) ?? FreeName(messenger, link.Invite);
        EnsureFree(messenger, name);
        await using var connection = await ConnectAsync(messenger, link.Invite.Server);
        await using var room = await RoomSession.JoinAsync(connection, link.ToString(), displayName, context.Value(Password), joinTagSecret: messenger.RoomTagSecret());
        var record = new RoomRecord { Name = name, State = room.Export() };
        messenger.SaveRoom(record);
        await messenger.ShareRoomAsync(record);
        context.Out.Result(new { room = name, joined = true }, $"joined as {displayName}; the room is called '{name}' in this profile: purr room chat {name}");
        return 0;
    }

    /// <summary>The persistent rooms a server lists publicly (their owners opted in).</summary>
    private static async Task<int> ListAsync(CliContext context)
    {
        var server = context.Value(Server);
        if (server is null)
        {
            await using var messenger = context.OpenMessenger();
            server = messenger.Data.Server;
        }

        await using var connection = await ConnectAsync(server);
        var list = (await connection.RequestAsync(new Request { ListRooms = new ListRooms() }, signer: null)).RoomList;
        var rooms = list.Rooms.Select(r => new { name = r.Name, members = r.Members }).ToList();
        context.Out.Result(rooms, rooms.Count == 0 ? "no listed rooms" : string.Join('\n', rooms.Select(r => $"{r.name}\t{r.members} members")));
        return 0;
    }

    private static Task<int> MembersAsync(CliContext context) => WithRoomAsync(context, async room =>
    {
        var members = await room.MembersAsync();
        var lines = members.Select(m => $"{m.Name}\t{m.Role.ToString().ToLowerInvariant()}{(m.Voice ? "" : ", no voice")}{(m.IsMe ? " (you)" : "")}{(m.Connected ? ", here" : "")}\t{Convert.ToHexStringLower(m.MemberKey)[..12]}").ToList();
        var bans = await room.BanCountAsync();
        if (bans > 0)
        {
            lines.Add($"({bans} banned: the server keeps only keyed hashes, so no one can say whom)");
        }

        return string.Join('\n', lines);
    });

    /// <summary>The link as this member knows it now (a kick changes the join secret; the new link reached every member end to end).</summary>
    private static async Task<int> LinkAsync(CliContext context)
    {
        var link = "";
        await WithRoomAsync(context, room => Task.FromResult(link = room.Link.ToString()), print: false);
        context.Out.Result(new { room = context.Value(Room), link }, context.Value(Qr) ? $"{link}\n{QrCode.Render(link)}" : link);
        return 0;
    }

    private static async Task<int> ReceiveAsync(CliContext context)
    {
        var wait = TimeSpan.FromSeconds(context.Value(Wait));
        var received = new List<RoomUpdate>();
        await WithRoomAsync(context, async (messenger, room) =>
        {
            using var deadline = new CancellationTokenSource(wait);
            try
            {
                while (true)
                {
                    var update = await room.Updates.ReadAsync(deadline.Token);
                    RoomHistory.Received(messenger, context.Value(Room), room, update);
                    received.Add(update);
                    if (received.Any(u => u is RoomText))
                    {
                        deadline.CancelAfter(TimeSpan.FromMilliseconds(300));
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or System.Threading.Channels.ChannelClosedException)
            {
            }

            return "";
        }, print: false);
        var shown = new RoomUpdateText();
        var lines = received.Select(shown.Format).OfType<string>().ToList();
        if (context.Out.Json)
        {
            context.Out.Result(received.Select(RoomUpdateText.Describe).ToList(), "");
        }
        else
        {
            lines.ForEach(Console.Out.WriteLine);
        }

        return 0;
    }

    /// <summary>Resumes the named room, runs <paramref name="action"/>, saves what changed (keys, names).</summary>
    private static Task<int> WithRoomAsync(CliContext context, Func<RoomSession, Task<string>> action, bool forget = false, bool print = true) =>
        WithRoomAsync(context, (_, room) => action(room), forget, print);

    private static async Task<int> WithRoomAsync(CliContext context, Func<Messenger, RoomSession, Task<string>> action, bool forget = false, bool print = true)
    {
        await using var messenger = context.OpenMessenger();
        var record = Find(messenger, context.Value(Room));
        var connection = await RoomResume.ConnectAsync(messenger, record);
        var room = await RoomResume.ResumeAsync(messenger, record, connection);
        await using (room)
        {
            var result = await action(messenger, room);
            if (forget)
            {
                messenger.ForgetRoom(record.Name);
            }
            else
            {
                record.State = room.Export();
                messenger.SaveRoom(record);
            }

            if (print)
            {
                context.Out.Result(new { room = record.Name, result }, result);
            }
        }

        return 0;
    }

    internal static RoomRecord Find(Messenger messenger, string name) =>
        messenger.Data.Rooms.FirstOrDefault(r => r.Name == name)
        ?? throw new UsageException($"no room named '{name}' in this profile{(messenger.Data.Rooms.Count > 0 ? $" (it has: {string.Join(", ", messenger.Data.Rooms.Select(r => r.Name))})" : "")}");

    /// <summary>A member by the name it joined with (any case) or by the start of its key.</summary>
    internal static async Task<byte[]> ResolveAsync(RoomSession room, string who, bool InChat)
    {
        var members = await room.MembersAsync();
        var others = members.Where(m => !m.IsMe).ToList();
        var matches = others.Where(m => string.Equals(m.Name, who, StringComparison.OrdinalIgnoreCase)).ToList();
        if (matches.Count == 0 && who.Length >= 4)
        {
            matches = [.. others.Where(m => Convert.ToHexStringLower(m.MemberKey).StartsWith(who.ToLowerInvariant(), StringComparison.Ordinal))];
        }

        var list = InChat ? "/members lists them" : "'purr room members' lists them";
        return matches.Count switch
        {
            1 => matches[0].MemberKey,
            0 => throw new MessengerException($"no member '{who}'; {list}"),
            _ => throw new MessengerException($"'{who}' matches several members; use the start of the key ({list})"),
        };
    }

    private static async Task<PurrConnection> ConnectAsync(string server)
    {
        using (new Spinner("connecting"))
        {
            return await PurrConnection.ConnectAsync(PurrAddress.Parse(server));
        }
    }

    /// <summary>A connection that creates with the profile's registration credentials (rooms, and a persistent room's mailbox).</summary>
    private static async Task<PurrConnection> ConnectAsync(Messenger messenger, string server)
    {
        using (new Spinner("connecting"))
        {
            return await messenger.OpenConnectionAsync(server);
        }
    }

    private static void EnsureFree(Messenger messenger, string name)
    {
        if (messenger.Data.Rooms.Any(r => r.Name == name))
        {
            throw new UsageException($"a room named '{name}' is already in this profile; pick another with --name");
        }
    }

    /// <summary>The creator's name for the room when the link has one and it is free here, else a numbered variant.</summary>
    private static string FreeName(Messenger messenger, RoomInvite invite)
    {
        var wanted = new string(invite.Name.Where(c => !char.IsControl(c) && !char.IsWhiteSpace(c)).Take(40).ToArray());
        if (wanted.Length == 0)
        {
            wanted = "room-" + Convert.ToHexStringLower(invite.RoomId.Span)[..6];
        }

        var name = wanted;
        for (var i = 2; messenger.Data.Rooms.Any(r => r.Name == name); i++)
        {
            name = $"{wanted}-{i}";
        }

        return name;
    }

    private static string Fallback(string displayName) => displayName.Length > 0 ? displayName : "anonymous";
}
