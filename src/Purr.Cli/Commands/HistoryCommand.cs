using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Purr.Client.History;
using static Purr.Cli.CommandBuilding;

namespace Purr.Cli.Commands;

/// <summary>`purr history`: the messages kept on this device, per contact, searchable, and deletable.</summary>
internal static partial class HistoryCommand
{
    private static readonly Argument<string?> Contact = new("name") { Description = "the contact (omit with --delete-all)", Arity = ArgumentArity.ZeroOrOne };
    private static readonly Option<string?> Search = Text("--search", "only messages containing this text (any case)", "TEXT");
    private static readonly Option<string?> Since = Text("--since", "only messages since a date (2026-11-30) or for a while back (90m, 12h, 7d)", "WHEN");
    private static readonly Option<int> Limit = new("--limit") { Description = "at most this many, the newest", HelpName = "N", DefaultValueFactory = _ => 50 };
    private static readonly Option<bool> Delete = Flag("--delete", "delete this contact's history on this device");
    private static readonly Option<bool> DeleteAll = Flag("--delete-all", "delete every chat's history on this device");
    private static readonly Option<bool> Room = Flag("--room", "NAME is a room of this profile, not a contact");

    public static Command Build() =>
        new Command("history", "read (or delete) the messages kept on this device with a contact (or, with --room, in a room)")
            .With(Contact, Search, Since, Limit, Delete, DeleteAll, Room).Runs(RunAsync);

    private static async Task<int> RunAsync(CliContext context)
    {
        await using var messenger = context.OpenMessenger();
        var name = context.Value(Contact);
        if (context.Value(DeleteAll))
        {
            var all = messenger.History.Delete(_ => true);
            context.Out.Result(new { deleted = all }, $"deleted {all} message(s) from this device's history");
            return 0;
        }

        if (name is null)
        {
            throw new UsageException("name the contact: purr history NAME (or --delete-all)");
        }

        var room = context.Value(Room);
        var known = room ? messenger.Data.Rooms.Any(r => r.Name == name) : messenger.Contacts.Any(c => c.Name == name);
        if (!known && !messenger.History.Read().Any(e => e.Chat == name && e.Room == room))
        {
            throw new UsageException(room
                ? $"no room or room history named '{name}' in this profile"
                : $"no contact or history named '{name}'; 'purr contacts' lists them (a room's: purr history NAME --room)");
        }

        if (context.Value(Delete))
        {
            var deleted = messenger.History.Delete(e => e.Chat == name && e.Room == room);
            context.Out.Result(new { deleted }, $"deleted {deleted} message(s) with {name} from this device's history");
            return 0;
        }

        var limit = context.Value(Limit);
        if (limit < 1)
        {
            throw new UsageException("--limit takes a number above 0");
        }

        var since = context.Value(Since) is { } text ? ParseSince(text, DateTimeOffset.UtcNow) : (DateTimeOffset?)null;
        var entries = messenger.History.Chat(name, context.Value(Search), since, limit, room);
        string From(HistoryEntry e) => e.Outgoing ? "me" : room ? e.Sender ?? "?" : name;
        context.Out.Result(
            entries.Select(e => new { from = From(e), text = e.Text, at = e.At, messageId = e.MessageId, expiresAt = e.ExpiresAt }).ToList(),
            entries.Count == 0 ? "no messages kept" : string.Join('\n', entries.Select(e => $"{TimeFormat.Date(e.At)}  {From(e)}: {e.Text}")));
        return 0;
    }

    /// <summary>A date (yyyy-MM-dd, local), or a span back from now: 90m, 12h, 7d.</summary>
    internal static DateTimeOffset ParseSince(string text, DateTimeOffset now)
    {
        if (SpanBack().Match(text) is { Success: true } match)
        {
            var amount = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            return match.Groups[2].Value switch
            {
                "m" => now.AddMinutes(-amount),
                "h" => now.AddHours(-amount),
                _ => now.AddDays(-amount),
            };
        }

        if (DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var date))
        {
            return new DateTimeOffset(date);
        }

        throw new UsageException($"--since takes a date (2026-11-30) or a span back (90m, 12h, 7d), not '{text}'");
    }

    [GeneratedRegex("^([0-9]{1,6})([mhd])$")]
    private static partial Regex SpanBack();
}
