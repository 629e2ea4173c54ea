using System.Globalization;
using Purr.Client.EndToEnd;

namespace Purr.Cli.Commands;

internal static class ContactCommands
{
    public static async Task<int> InviteAsync(CliContext context)
    {
        var line = context.Line;
        line.Expect(0);
        var name = line.Required("--name");
        var hours = double.Parse(line.Option("--valid-hours") ?? "168", CultureInfo.InvariantCulture);
        await using var messenger = context.OpenMessenger();
        Card card;
        using (new Spinner("creating a mailbox"))
        {
            card = await messenger.InviteAsync(name, line.Option("--display-name") ?? messenger.Data.DisplayName, TimeSpan.FromHours(hours), line.Option("--server"));
        }

        if (line.Option("--out") is { } path)
        {
            await File.WriteAllTextAsync(path, card.Link + "\n");
        }

        var text = card.Link;
        if (line.Has("--qr"))
        {
            text = QrCode.Render(card.Link) + "\n" + text;
        }

        context.Out.Result(new { name, link = card.Link, expiresAt = card.ExpiresAt, file = line.Option("--out") }, text);
        return 0;
    }

    public static async Task<int> AcceptAsync(CliContext context)
    {
        var line = context.Line;
        var source = line.Argument(0, "a purr:card/ link or a file holding one");
        line.Expect(1);
        var name = line.Required("--name");
        var text = source.StartsWith(Card.LinkPrefix, StringComparison.Ordinal) || !File.Exists(source) ? source : await File.ReadAllTextAsync(source);
        await using var messenger = context.OpenMessenger();
        using (new Spinner("sending the contact request"))
        {
            await messenger.AcceptAsync(text, name, line.Option("--display-name") ?? messenger.Data.DisplayName, line.Option("--server"));
        }

        context.Out.Result(new { name, status = "requested" }, $"contact request sent to '{name}'; you can send messages now");
        return 0;
    }

    public static async Task<int> ListAsync(CliContext context)
    {
        context.Line.Expect(0);
        await using var messenger = context.OpenMessenger();
        var contacts = messenger.Data.Contacts.Select(c => new
        {
            name = c.Name,
            displayName = c.DisplayName,
            status = c.TheirSenderKey is null ? "waiting for answer" : "connected",
            verified = c.Verified,
            server = c.Inbox.FirstOrDefault()?.Server,
        }).ToList();
        var invites = messenger.Data.Invites.Select(i => new { name = i.Name, status = "invited", expiresAt = i.ExpiresAt }).ToList();
        var lines = contacts.Select(c => $"{c.name}\t{c.displayName}\t{c.status}{(c.verified ? ", verified" : "")}")
            .Concat(invites.Select(i => $"{i.name}\t\tinvited (card expires {i.expiresAt:yyyy-MM-dd HH:mm})"));
        var text = string.Join('\n', lines);
        context.Out.Result(new { contacts, invites }, text.Length == 0 ? "no contacts yet: 'purr invite' or 'purr accept'" : text);
        return 0;
    }

    public static async Task<int> VerifyAsync(CliContext context)
    {
        var line = context.Line;
        var name = line.Argument(0, "a contact name");
        await using var messenger = context.OpenMessenger();
        var code = messenger.SafetyCodeFor(name);
        if (line.Has("--confirm"))
        {
            await messenger.MarkVerifiedAsync(name);
        }

        var text = $"safety code with {name}:\n{SafetyCode.Format(code)}\nCompare it with {name} in person or on a call; if it matches, run: purr verify {name} --confirm";
        if (line.Has("--qr"))
        {
            text = QrCode.Render(code) + "\n" + text;
        }

        context.Out.Result(new { name, safetyCode = code, verified = messenger.Contact(name).Verified }, text);
        return 0;
    }

    public static async Task<int> MoveAsync(CliContext context)
    {
        var name = context.Line.Argument(0, "a contact name");
        await using var messenger = context.OpenMessenger();
        using (new Spinner("creating the new mailbox"))
        {
            await messenger.MoveMailboxAsync(name, context.Line.Option("--server"));
        }

        context.Out.Result(new { name, status = "moving" }, $"told {name} about your new mailbox; the old one is deleted once they confirm");
        return 0;
    }

    public static async Task<int> RemoveAsync(CliContext context)
    {
        var name = context.Line.Argument(0, "a contact name");
        await using var messenger = context.OpenMessenger();
        await messenger.RemoveContactAsync(name);
        context.Out.Result(new { name, status = "removed" }, $"{name} removed");
        return 0;
    }
}
