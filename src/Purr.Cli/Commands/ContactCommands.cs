using System.CommandLine;
using Purr.Client.EndToEnd;
using Purr.Client.Messaging;
using static Purr.Cli.CommandBuilding;

namespace Purr.Cli.Commands;

internal static class ContactCommands
{
    private static readonly Option<string?> Name = Text("--name", "what you call this contact in this profile", "NAME", required: true);
    private static readonly Option<string?> DisplayName = Text("--display-name", "the name this contact sees (default: the profile's)", "NAME");
    private static readonly Option<string?> Server = Text("--server", "the server your mailbox for this contact lives on (default: the profile's)", "ADDRESS");
    private static readonly Option<bool> Qr = Flag("--qr", "also print it as a QR code");
    private static readonly Option<string?> QrFile = Text("--qr-file", "also write the QR code as a PNG image to this file", "FILE.png");
    private static readonly Option<string?> OutFile = Text("--out", "also write the link to this file", "FILE");
    private static readonly Option<bool> Confirm = Flag("--confirm", "mark the contact verified (after comparing the code)");
    private static readonly Option<bool> Classic = Flag(
        "--classic", "a card without the post-quantum key: 1.6 KB shorter, its QR code fits 80 columns; the contact becomes post-quantum after the first exchange");
    private static readonly Argument<string> CardSource = Positional("card", "a purr:card/ link, or a file holding one");
    private static readonly Argument<string> Contact = Positional("name", "the contact's name in this profile");
    private static readonly Option<double> ValidHours = ValidHoursOption();
    private static readonly Option<bool> Direct = Flag("--direct", "send straight to the contact's server (which then sees your address)");
    private static readonly Option<bool> ViaHome = Flag("--via-home", "always send through your own server; a send fails rather than go directly");
    private static readonly Option<bool> AutoRoute = Flag("--auto", "through your own server when it relays there, else directly (the default)");
    private static readonly Option<string?> Hops = Text(
        "--hops", "an onion route of N servers (2-5): yours, then N-1 picked at random from your server's catalog for every message", "N");
    private static readonly Option<string?> Through = Text("--through", "an onion route through your server, then these servers in order (1-4)", "ADDRESS,...");
    private static readonly Argument<string?> IsolationMode = new("mode")
    {
        Description = "auto (the default), shared or per-contact; without it, shows the current one",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public static IEnumerable<Command> All() =>
    [
        new Command("invite", "make a card for one new contact; prints its purr:card/ link").With(Name, DisplayName, ValidHours, Qr, QrFile, OutFile, Server, Classic).Runs(InviteAsync),
        new Command("accept", "accept someone's card").With(CardSource, Name, DisplayName, Server).Runs(AcceptAsync),
        new Command("contacts", "list contacts and pending invites").Runs(ListAsync),
        new Command("verify", "show the safety code to compare out of band; --confirm marks it verified").With(Contact, Qr, QrFile, Confirm).Runs(VerifyAsync),
        new Command("route", "show or choose how your messages to a contact travel").With(Contact, Direct, ViaHome, AutoRoute, Hops, Through).Runs(RouteAsync),
        new Command("isolation", "show or choose which of your contacts and rooms share a connection to a server").With(IsolationMode).Runs(IsolationAsync),
        new Command("move", "move where a contact sends to you to a new mailbox").With(Contact, Server).Runs(MoveAsync),
        new Command("remove", "tell a contact, delete your mailboxes for them, forget them; or cancel a card or request not yet answered").With(Contact).Runs(RemoveAsync),
    ];

    private static Option<double> ValidHoursOption()
    {
        var option = new Option<double>("--valid-hours") { Description = "how long the card works", HelpName = "HOURS", DefaultValueFactory = _ => 168 };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is <= 0 or > 24 * 90)
            {
                result.AddError("--valid-hours must be more than 0 and at most 2160 (90 days)");
            }
        });
        return option;
    }

    private static async Task<int> InviteAsync(CliContext context)
    {
        var name = context.Value(Name)!;
        await using var messenger = context.OpenMessenger();
        Card card;
        using (new Spinner("creating a mailbox"))
        {
            card = await messenger.InviteAsync(
                name, context.Value(DisplayName) ?? messenger.Data.DisplayName, TimeSpan.FromHours(context.Value(ValidHours)), context.Value(Server), !context.Value(Classic));
        }

        if (context.Value(OutFile) is { } path)
        {
            await File.WriteAllTextAsync(path, card.Link + "\n");
        }

        if (context.Value(QrFile) is { } image)
        {
            QrCode.WritePng(card.Link, image);
        }

        var text = card.Link;
        if (context.Value(Qr))
        {
            text = QrCode.Render(card.Link) + "\n" + text + QrCode.WidthHint(card.Link);
        }

        context.Out.Result(new { name, link = card.Link, expiresAt = card.ExpiresAt, postQuantum = card.IsPostQuantum, file = context.Value(OutFile) }, text);
        return 0;
    }

    private static async Task<int> AcceptAsync(CliContext context)
    {
        var source = context.Value(CardSource);
        var name = context.Value(Name)!;
        var text = source.StartsWith("purr:", StringComparison.Ordinal) || !File.Exists(source) ? source : await File.ReadAllTextAsync(source);
        await using var messenger = context.OpenMessenger();
        using (new Spinner("sending the contact request"))
        {
            await messenger.AcceptAsync(text, name, context.Value(DisplayName) ?? messenger.Data.DisplayName, context.Value(Server));
        }

        context.Out.Result(new { name, status = "requested" }, $"contact request sent to '{name}'; you can send messages now");
        return 0;
    }

    private static async Task<int> ListAsync(CliContext context)
    {
        await using var messenger = context.OpenMessenger();
        // With presence on, ask every contact (1.5 s at most): those whose client runs answer; the rest are offline.
        IReadOnlyDictionary<string, PresenceChanged> presence = new Dictionary<string, PresenceChanged>();
        if (messenger.Data.PresenceEnabled)
        {
            try
            {
                presence = await messenger.QueryPresenceAsync(TimeSpan.FromSeconds(1.5));
            }
            catch (Client.PurrConnectionException)
            {
                // The server is away: the list still shows, without presence.
            }
        }

        var contacts = messenger.Data.Contacts.Select(c => new
        {
            name = c.Name,
            displayName = c.DisplayName,
            presence = !messenger.Data.PresenceEnabled ? null
                : presence.TryGetValue(c.Name, out var p) ? PresenceCommands.Name(p.Status) + (p.Text.Length > 0 ? $" ({p.Text})" : "")
                : c.PresenceOutbox is null ? null : "offline",
            // An acceptor may write at once; "connected" comes with the card owner's answer, read by receive or chat.
            status = c.TheirSenderKey is null ? "request sent" : "connected",
            // PQXDH at the start, or the ratchet after an upgrade: both sides' ML-KEM secrets protect the session.
            postQuantum = c.Session.PostQuantum,
            verified = c.Verified,
            server = c.Inbox.FirstOrDefault()?.Server,
            route = Messenger.RouteOf(c).Name,
            disappearAfterSeconds = c.DisappearAfterSeconds,
        }).ToList();
        var invites = messenger.Data.Invites.Select(i => new { name = i.Name, status = i.Requested ? "requested" : "invited", expiresAt = i.ExpiresAt }).ToList();
        var lines = contacts.Select(c => $"{c.name}\t{c.displayName}\t{c.status}{(c.postQuantum ? ", post-quantum" : "")}{(c.verified ? ", verified" : "")}{(c.route == "auto" ? "" : $", route {c.route}")}{(c.disappearAfterSeconds == 0 ? "" : $", messages disappear after {DisappearingMessages.Describe(c.disappearAfterSeconds)}")}{(c.presence is null ? "" : $"\t{c.presence}")}")
            .Concat(invites.Select(i => i.status == "requested"
                ? $"{i.name}\t\trequest sent through their address (waits until {TimeFormat.Date(i.expiresAt)})"
                : $"{i.name}\t\tinvited (card expires {TimeFormat.Date(i.expiresAt)})"));
        if (messenger.Data.Requests.Count > 0)
        {
            lines = lines.Append($"({messenger.Data.Requests.Count} contact request(s) waiting: 'purr requests')");
        }
        var text = string.Join('\n', lines);
        context.Out.Result(new { contacts, invites }, text.Length == 0 ? "no contacts yet: 'purr invite' or 'purr accept'" : text);
        return 0;
    }

    private static async Task<int> RouteAsync(CliContext context)
    {
        var name = context.Value(Contact);
        var chosen = new List<RouteChoice>();
        if (context.Value(Direct))
        {
            chosen.Add(RouteChoice.Direct);
        }

        if (context.Value(ViaHome))
        {
            chosen.Add(RouteChoice.ViaHome);
        }

        if (context.Value(AutoRoute))
        {
            chosen.Add(RouteChoice.Auto);
        }

        if (context.Value(Hops) is { } hops)
        {
            chosen.Add(int.TryParse(hops, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count)
                ? RouteChoice.RandomHops(count)
                : throw new UsageException("--hops takes a number of servers, 2 to 5"));
        }

        if (context.Value(Through) is { } through)
        {
            chosen.Add(RouteChoice.ThroughServers(through.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        }

        if (chosen.Count > 1)
        {
            throw new UsageException("choose one of --direct, --via-home, --auto, --hops and --through");
        }

        await using var messenger = context.OpenMessenger();
        if (chosen.Count == 1)
        {
            await messenger.SetRouteAsync(name, chosen[0]);
        }

        var route = Messenger.RouteOf(messenger.Contact(name));
        var explained = route.Kind switch
        {
            ContactRoute.Direct => "sent straight to their server, which sees your address",
            ContactRoute.ViaHome => "sent through your own server, always: their server sees your server, not you",
            ContactRoute.Onion when route.Through is { Count: > 0 } =>
                $"an onion route through your server and {route.Through.Count} more: each server learns only its neighbours, their server only the last one",
            ContactRoute.Onion =>
                $"an onion route through your server and {route.Hops - 1} more picked at random for every message: each server learns only its neighbours",
            _ => "sent through your own server when it relays there (their server sees your server, not you), else directly",
        };
        context.Out.Result(new { name, route = route.Name }, $"{name}: {route.Name} ({explained})");
        return 0;
    }

    private static async Task<int> IsolationAsync(CliContext context)
    {
        var mode = context.Value(IsolationMode);
        var chosen = mode switch
        {
            null => (TransportIsolation?)null,
            "auto" or "shared" or "per-contact" => Messenger.ParseIsolation(mode),
            _ => throw new UsageException("isolation is one of auto, shared, per-contact"),
        };
        await using var messenger = context.OpenMessenger();
        if (chosen is { } isolation)
        {
            await messenger.SetIsolationAsync(isolation);
        }

        var current = messenger.Isolation;
        var explained = current switch
        {
            TransportIsolation.Shared => "one connection per server for everything: each server can link all your mailboxes and rooms on it",
            TransportIsolation.PerContact =>
                "a separate connection per contact and per room to every server, your own too (which still sees your address on each)",
            _ => "one connection to your own server (it sees your address anyway); a separate relayed connection per contact and per room to any other server",
        };
        var name = Messenger.IsolationName(current);
        context.Out.Result(new { isolation = name }, $"isolation: {name} ({explained})");
        return 0;
    }

    private static async Task<int> VerifyAsync(CliContext context)
    {
        var name = context.Value(Contact);
        await using var messenger = context.OpenMessenger();
        var code = messenger.SafetyCodeFor(name);
        var confirming = context.Value(Confirm);
        if (confirming)
        {
            await messenger.MarkVerifiedAsync(name);
        }

        var text = confirming
            ? $"{name} is marked verified (safety code {SafetyCode.Format(code)}). If the code ever changes, Purr will say so."
            : $"safety code with {name}:\n{SafetyCode.Format(code)}\nCompare it with {name} in person or on a call; if it matches, run: purr verify {name} --confirm";
        if (context.Value(QrFile) is { } image)
        {
            QrCode.WritePng(code, image);
        }

        if (context.Value(Qr))
        {
            text = QrCode.Render(code) + "\n" + text;
        }

        context.Out.Result(new { name, safetyCode = code, verified = messenger.Contact(name).Verified }, text);
        return 0;
    }

    private static async Task<int> MoveAsync(CliContext context)
    {
        var name = context.Value(Contact);
        await using var messenger = context.OpenMessenger();
        using (new Spinner("creating the new mailbox"))
        {
            await messenger.MoveMailboxAsync(name, context.Value(Server));
        }

        context.Out.Result(new { name, status = "moving" }, $"told {name} about your new mailbox; the old one is deleted once they confirm");
        return 0;
    }

    private static async Task<int> RemoveAsync(CliContext context)
    {
        var name = context.Value(Contact);
        await using var messenger = context.OpenMessenger();
        if (messenger.Data.Contacts.All(c => c.Name != name) && messenger.Data.Invites.Any(i => i.Name == name))
        {
            // Not answered yet: its mailbox goes, so the card (or the request) can no longer be accepted.
            var invite = await messenger.CancelInviteAsync(name);
            context.Out.Result(new { name, status = "cancelled" }, invite.Requested ? $"request to {name} cancelled" : $"card for {name} cancelled: it can no longer be accepted");
            return 0;
        }

        await messenger.RemoveContactAsync(name);
        context.Out.Result(new { name, status = "removed" }, $"{name} removed");
        return 0;
    }
}
