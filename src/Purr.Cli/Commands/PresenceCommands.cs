using System.CommandLine;
using Purr.Client.Messaging;
using Purr.Protocol.V1;
using static Purr.Cli.CommandBuilding;

namespace Purr.Cli.Commands;

/// <summary>`purr presence …`: encrypted presence (PROTOCOL.md 10.9), off until set; shown in `purr contacts` and `purr chat`.</summary>
internal static class PresenceCommands
{
    private static readonly Argument<string> Status = Positional("status", "online, away or busy");
    private static readonly Option<string?> StatusText = Text("--text", "a short status text (at most 80 characters)", "TEXT");
    private static readonly Argument<string> Contact = Positional("name", "the contact's name in this profile");
    private static readonly Argument<string> OnOff = Positional("on|off", "whether this contact sees your presence");

    public static Command Build() => new Command("presence", "your status for your contacts, end to end and never stored; off until you set one").With(
        new Command("set", "set your status (and turn presence on); contacts see it while a client of yours runs").With(Status, StatusText).Runs(SetAsync),
        new Command("off", "turn presence off: contacts see nothing of you, you see nothing of them").Runs(OffAsync),
        new Command("share", "show or hide your presence to one contact").With(Contact, OnOff).Runs(ShareAsync));

    private static async Task<int> SetAsync(CliContext context)
    {
        var status = context.Value(Status).ToLowerInvariant() switch
        {
            "online" => PresenceStatus.Online,
            "away" => PresenceStatus.Away,
            "busy" => PresenceStatus.Busy,
            _ => throw new UsageException("the status is online, away or busy"),
        };
        await using var messenger = context.OpenMessenger();
        await messenger.SetPresenceAsync(status, context.Value(StatusText) ?? "");
        context.Out.Result(new { status = Name(status), text = context.Value(StatusText) ?? "" }, $"you are {Name(status)}; contacts see it while 'purr chat' (or another client of yours) runs");
        return 0;
    }

    private static async Task<int> OffAsync(CliContext context)
    {
        await using var messenger = context.OpenMessenger();
        await messenger.DisablePresenceAsync();
        context.Out.Result(new { presence = false }, "presence is off");
        return 0;
    }

    private static async Task<int> ShareAsync(CliContext context)
    {
        var on = context.Value(OnOff).ToLowerInvariant() switch
        {
            "on" => true,
            "off" => false,
            _ => throw new UsageException("say 'on' or 'off'"),
        };
        await using var messenger = context.OpenMessenger();
        await messenger.SetSharePresenceAsync(context.Value(Contact), on);
        context.Out.Result(new { name = context.Value(Contact), share = on }, on ? "they see your presence" : "they no longer see your presence");
        return 0;
    }

    public static string Name(PresenceStatus status) => status switch
    {
        PresenceStatus.Online => "online",
        PresenceStatus.Away => "away",
        PresenceStatus.Busy => "busy",
        _ => "offline",
    };
}
