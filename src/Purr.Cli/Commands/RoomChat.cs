using Purr.Client.Rooms;

namespace Purr.Cli.Commands;

/// <summary>`purr room chat ROOM`: talk in a room, with /exit /stop /kick /purr /topic /members /quit.</summary>
internal static class RoomChat
{
    private const string Help = "commands: /exit [farewell]  /stop  /kick MEMBER  /purr MEMBER TEXT  /topic TEXT  /members  /quit";

    public static Task<int> RunAsync(CliContext context) => RoomCommands.WithRoomAsync(context, 1, async (room, _) =>
    {
        Console.Out.WriteLine($"in the room as {room.DisplayName}; {Help}");
        using var stop = new CancellationTokenSource();
        var printing = Task.Run(async () =>
        {
            try
            {
                await foreach (var update in room.Updates.ReadAllAsync(stop.Token))
                {
                    Console.Out.WriteLine(Format(update));
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        var result = "left the chat";
        while (await Console.In.ReadLineAsync() is { } input)
        {
            var text = input.Trim();
            try
            {
                if (text == "/quit")
                {
                    break;
                }

                if (text == "/exit" || text.StartsWith("/exit ", StringComparison.Ordinal))
                {
                    await room.ExitAsync(text.Length > 5 ? text[6..] : "bye");
                    result = "left the room";
                    break;
                }

                if (text == "/stop")
                {
                    await room.StopAsync();
                    result = "stopped the room";
                    break;
                }

                await HandleAsync(room, text);
            }
            catch (Client.PurrClientException e)
            {
                Console.Out.WriteLine($"! {e.Message}");
            }
        }

        await stop.CancelAsync();
        await printing;
        return result;
    });

    private static async Task HandleAsync(RoomSession room, string text)
    {
        var parts = text.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        switch (parts.FirstOrDefault())
        {
            case null:
                return;
            case "/kick" when parts.Length >= 2:
                await room.KickAsync(await RoomCommands.ResolveAsync(room, parts[1]));
                return;
            case "/purr" when parts.Length == 3:
                await room.WhisperAsync(await RoomCommands.ResolveAsync(room, parts[1]), parts[2]);
                return;
            case "/topic" when parts.Length >= 2:
                await room.SetTopicAsync(text[7..]);
                return;
            case "/members":
                foreach (var member in await room.MembersAsync())
                {
                    Console.Out.WriteLine($"  {member.Name} ({member.Role.ToString().ToLowerInvariant()}){(member.IsMe ? " you" : "")}");
                }

                return;
            case var command when command.StartsWith('/'):
                Console.Out.WriteLine(Help);
                return;
            default:
                await room.SendTextAsync(text);
                return;
        }
    }

    public static string Format(RoomUpdate update) => update switch
    {
        RoomText { Whisper: true } text => $"{text.SenderName} (whispers): {text.Text}",
        RoomText text => $"{text.SenderName}: {text.Text}",
        RoomFarewell farewell => $"* {farewell.SenderName} leaves: {farewell.Text}",
        RoomMemberJoined => "* someone joined",
        RoomMemberLeft left => $"* {left.Name} {(left.Kicked ? "was kicked" : "left")}",
        RoomKicked => "* you were kicked from the room",
        RoomEnded => "* the room was stopped",
        RoomTopicChanged topic => $"* topic: {topic.Topic}",
        RoomUndecryptable => "* a message failed its checks and was dropped",
        _ => update.ToString(),
    };

    public static object Describe(RoomUpdate update) => update switch
    {
        RoomText text => new { type = "text", from = text.SenderName, text = text.Text, whisper = text.Whisper },
        RoomFarewell farewell => new { type = "farewell", from = farewell.SenderName, text = farewell.Text },
        RoomMemberLeft left => new { type = "left", name = left.Name, kicked = left.Kicked },
        RoomTopicChanged topic => new { type = "topic", topic = topic.Topic },
        _ => new { type = update.GetType().Name },
    };
}
