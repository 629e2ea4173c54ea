using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Purr.Client.Messaging;
using static Purr.Cli.CommandBuilding;

namespace Purr.Cli.Commands;

/// <summary>`purr disappear NAME 1h|off`: the chat's disappearing-message timer, for both sides (PROTOCOL.md 10.5).</summary>
internal static partial class DisappearCommand
{
    private static readonly Argument<string> Contact = Positional("name", "the contact");
    private static readonly Argument<string> After = Positional("after", "how long each new message lasts on both sides (30s, 10m, 1h, 7d, 4w) or off");

    public static Command Build() =>
        new Command("disappear", "make new messages with a contact disappear from both sides' devices after a while (or stop it)")
            .With(Contact, After).Runs(RunAsync);

    private static async Task<int> RunAsync(CliContext context)
    {
        var seconds = Parse(context.Value(After));
        await using var messenger = context.OpenMessenger();
        var name = context.Value(Contact);
        var kept = await messenger.SetDisappearingAsync(name, seconds);
        context.Out.Result(new { contact = name, disappearAfterSeconds = kept },
            kept == 0
                ? $"disappearing messages with {name} are off; {name}'s client turns them off too"
                : $"new messages with {name} disappear {DisappearingMessages.Describe(kept)} after they are sent or received, on both sides"
                  + (kept != seconds ? $" (held to {DisappearingMessages.MinSeconds} seconds – 365 days)" : ""));
        return 0;
    }

    internal static uint Parse(string text)
    {
        if (text is "off" or "0")
        {
            return 0;
        }

        if (Span().Match(text) is not { Success: true } match)
        {
            throw new UsageException($"'{text}' is not a timer: write it like 30s, 10m, 1h, 7d or 4w, or off");
        }

        var amount = ulong.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var seconds = amount * match.Groups[2].Value switch { "s" => 1UL, "m" => 60UL, "h" => 3600UL, "d" => 86_400UL, _ => 604_800UL };
        if (seconds is < DisappearingMessages.MinSeconds or > DisappearingMessages.MaxSeconds)
        {
            throw new UsageException($"a timer is {DisappearingMessages.MinSeconds} seconds to 365 days, not '{text}'");
        }

        return (uint)seconds;
    }

    [GeneratedRegex("^([0-9]{1,6})([smhdw])$")]
    private static partial Regex Span();
}
