using System.Globalization;
using Purr.Client;
using Purr.Client.Messaging;
using Purr.Client.Profiles;
using Purr.Client.Rooms;
using Purr.Protocol;
using Purr.Protocol.V1;

namespace Purr.Cli.Commands;

/// <summary>`purr room …`: rooms from the terminal. Each command resumes the membership saved in the profile.</summary>
internal static class RoomCommands
{
    public static Task<int> RunAsync(CliContext context)
    {
        var sub = context.Line.Argument(0, "a room command (create, join, chat, send, receive, kick, whisper, leave, stop, members)");
        return sub switch
        {
            "create" => CreateAsync(context),
            "join" => JoinAsync(context),
            "chat" => RoomChat.RunAsync(context),
            "send" => WithRoomAsync(context, 2, async (room, args) => { await room.SendTextAsync(args[1]); return "sent"; }),
            "whisper" => WithRoomAsync(context, 3, async (room, args) => { await room.WhisperAsync(await ResolveAsync(room, args[1]), args[2]); return "whispered"; }),
            "kick" => WithRoomAsync(context, 2, async (room, args) => { await room.KickAsync(await ResolveAsync(room, args[1])); return "kicked"; }),
            "leave" => WithRoomAsync(context, 1, async (room, _) => { await room.LeaveAsync(); return "left"; }, forget: true),
            "stop" => WithRoomAsync(context, 1, async (room, _) => { await room.StopAsync(); return "stopped"; }, forget: true),
            "members" => MembersAsync(context),
            "receive" => ReceiveAsync(context),
            "list" => ListAsync(context),
            _ => throw new UsageException($"unknown room command '{sub}'"),
        };
    }

    private static async Task<int> CreateAsync(CliContext context)
    {
        var line = context.Line;
        var kind = line.Has("--persistent") ? RoomKind.Persistent : RoomKind.Transient;
        var name = line.Option("--name") ?? $"room{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}";
        await using var messenger = context.OpenMessenger();
        EnsureFree(messenger, name);
        var server = line.Option("--server") ?? messenger.Data.Server;
        await using var connection = await ConnectAsync(server);
        var settings = new RoomSettings { Flat = line.Has("--flat") };
        await using var room = await RoomSession.CreateAsync(connection, kind, line.Option("--display-name") ?? Fallback(messenger.Data.DisplayName), settings, line.Option("--password"));
        messenger.SaveRoom(new RoomRecord { Name = name, State = room.Export() });
        var link = room.Link.ToString();
        var note = kind == RoomKind.Transient ? "\n(transient: it lives while someone is in 'purr room chat', plus a short grace)" : "";
        context.Out.Result(new { room = name, kind = kind.ToString().ToLowerInvariant(), link }, $"room '{name}' created; share this link:\n{link}{note}");
        return 0;
    }

    private static async Task<int> JoinAsync(CliContext context)
    {
        var line = context.Line;
        var link = RoomLink.Parse(line.Argument(1, "a purr:room/ link"));
        var displayName = line.Required("--as");
        var name = line.Option("--name") ?? link.Invite.ListingNameOrDefault();
        await using var messenger = context.OpenMessenger();
        EnsureFree(messenger, name);
        await using var connection = await ConnectAsync(link.Invite.Server);
        await using var room = await RoomSession.JoinAsync(connection, link.ToString(), displayName, line.Option("--password"));
        messenger.SaveRoom(new RoomRecord { Name = name, State = room.Export() });
        context.Out.Result(new { room = name, joined = true }, $"joined; the room is called '{name}' in this profile");
        return 0;
    }

    /// <summary>The persistent rooms a server lists publicly (their owners opted in).</summary>
    private static async Task<int> ListAsync(CliContext context)
    {
        var server = context.Line.Option("--server");
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

    private static async Task<int> MembersAsync(CliContext context)
    {
        return await WithRoomAsync(context, 1, async (room, _) =>
        {
            var members = await room.MembersAsync();
            var lines = members.Select(m => $"{m.Name}\t{m.Role.ToString().ToLowerInvariant()}{(m.Voice ? "" : ", no voice")}{(m.IsMe ? " (you)" : "")}\t{Convert.ToHexStringLower(m.MemberKey)[..12]}");
            return string.Join('\n', lines);
        });
    }

    private static async Task<int> ReceiveAsync(CliContext context)
    {
        var wait = TimeSpan.FromSeconds(double.Parse(context.Line.Option("--wait") ?? "1", CultureInfo.InvariantCulture));
        var received = new List<RoomUpdate>();
        await WithRoomAsync(context, 1, async (room, _) =>
        {
            using var deadline = new CancellationTokenSource(wait);
            try
            {
                while (true)
                {
                    received.Add(await room.Updates.ReadAsync(deadline.Token));
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
        if (context.Out.Json)
        {
            context.Out.Result(received.Select(RoomChat.Describe).ToList(), "");
        }
        else
        {
            received.ForEach(u => Console.Out.WriteLine(RoomChat.Format(u)));
        }

        return 0;
    }

    /// <summary>Resumes the named room, runs <paramref name="action"/>, saves what changed (keys, names).</summary>
    internal static async Task<int> WithRoomAsync(
        CliContext context, int arguments, Func<RoomSession, List<string>, Task<string>> action, bool forget = false, bool print = true)
    {
        var args = context.Line.Arguments.Skip(1).ToList();
        if (args.Count < arguments)
        {
            throw new UsageException($"room {context.Line.Arguments[0]} needs {arguments} argument(s): the room{(arguments > 1 ? ", then more" : "")}");
        }

        await using var messenger = context.OpenMessenger();
        var record = messenger.Data.Rooms.FirstOrDefault(r => r.Name == args[0])
            ?? throw new UsageException($"no room named '{args[0]}' in this profile");
        var server = RoomLink.Parse(record.State.Link).Invite.Server;
        // The profile's connection to that server, shared with its contacts' mailboxes (one connection per server).
        PurrConnection connection;
        using (new Spinner("connecting"))
        {
            connection = await messenger.ConnectionAsync(server);
        }

        RoomSession room;
        try
        {
            room = await RoomSession.ResumeAsync(connection, record.State);
        }
        catch (PurrProtocolException e) when (e.Code == ErrorCode.Auth)
        {
            messenger.ForgetRoom(record.Name);
            throw new MessengerException($"you are no longer in '{record.Name}' (kicked, or the room ended); it was removed from this profile");
        }

        await using (room)
        {
            var result = await action(room, args);
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

    internal static async Task<byte[]> ResolveAsync(RoomSession room, string who)
    {
        var members = await room.MembersAsync();
        var matches = members.Where(m => !m.IsMe && (m.Name == who || Convert.ToHexStringLower(m.MemberKey).StartsWith(who, StringComparison.Ordinal))).ToList();
        return matches.Count switch
        {
            1 => matches[0].MemberKey,
            0 => throw new MessengerException($"no member '{who}'; 'purr room members' lists them"),
            _ => throw new MessengerException($"'{who}' matches several members; use the key prefix from 'purr room members'"),
        };
    }

    private static async Task<PurrConnection> ConnectAsync(string server)
    {
        using (new Spinner("connecting"))
        {
            return await PurrConnection.ConnectAsync(PurrAddress.Parse(server));
        }
    }

    private static void EnsureFree(Messenger messenger, string name)
    {
        if (messenger.Data.Rooms.Any(r => r.Name == name))
        {
            throw new UsageException($"a room named '{name}' is already in this profile; pick another with --name");
        }
    }

    private static string Fallback(string displayName) => displayName.Length > 0 ? displayName : "anonymous";

    private static string ListingNameOrDefault(this RoomInvite invite) => "room-" + Convert.ToHexStringLower(invite.RoomId.Span)[..6];
}
