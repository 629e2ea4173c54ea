using System.CommandLine;
using Purr.Client.EndToEnd;
using Purr.Client.Messaging;
using static Purr.Cli.CommandBuilding;

namespace Purr.Cli.Commands;

/// <summary>
/// `purr address …`, `purr connect` and `purr requests …`: a reusable contact address, asking for contact through
/// one, and deciding on the requests that came through yours (PROTOCOL.md 10.8).
/// </summary>
internal static class AddressCommands
{
    private static readonly Option<string?> DisplayName = Text("--display-name", "the name requesters see (default: the profile's)", "NAME");
    private static readonly Option<string?> Server = Text("--server", "the server the address's mailbox lives on (default: the profile's)", "ADDRESS");
    private static readonly Option<bool> AutoAccept = Flag("--auto-accept", "accept every request at once instead of keeping it for you to decide");
    private static readonly Option<bool> Qr = Flag("--qr", "also print it as a QR code");
    private static readonly Option<string?> QrFile = Text("--qr-file", "also write the QR code as a PNG image to this file", "FILE.png");
    private static readonly Argument<string> OnOff = Positional("on|off", "accept every request at once (on) or keep them for you (off)");
    private static readonly Argument<string> AddressLink = Positional("address", "a purr:address/ link, a handle (name@server), or a file holding a link");
    private static readonly Option<string?> ContactName = Text("--name", "what you call this contact in this profile", "NAME", required: true);
    private static readonly Option<string?> Message = Text("--message", $"a short note to the owner (at most {AddressRequests.MaxMessageLength} characters)", "TEXT");
    private static readonly Option<string?> As = Text("--display-name", "the name the owner sees (default: the profile's)", "NAME");
    private static readonly Option<string?> MailboxServer = Text("--server", "the server your mailbox for this contact lives on (default: the profile's)", "ADDRESS");
    private static readonly Argument<string> RequestId = Positional("id", "the request's id, as 'purr requests' shows it");
    private static readonly Option<bool> Block = Flag("--block", "also have the server drop this requester's further requests (it learns only a keyed hash of their block tag)");
    private static readonly Option<string?> AcceptName = Text("--name", "what you call this contact (default: from the name they gave)", "NAME");

    public static IEnumerable<Command> All() =>
    [
        new Command("address", "a reusable contact address: many people can ask for contact through one link").With(
            new Command("create", "make this profile's address; prints its purr:address/ link").With(DisplayName, AutoAccept, Server, Qr, QrFile).Runs(context => CreateAsync(context, replace: false)),
            new Command("show", "print this profile's address").With(Qr, QrFile).Runs(ShowAsync),
            new Command("revoke", "delete the address: the server refuses requests through it from now on").Runs(RevokeAsync),
            new Command("replace", "revoke the address and make a new one (give the new link only to whom you want)").With(DisplayName, AutoAccept, Server, Qr, QrFile).Runs(context => CreateAsync(context, replace: true)),
            new Command("auto-accept", "accept every request at once, or keep them for you to decide").With(OnOff).Runs(AutoAcceptAsync),
            new Command("unblock-all", "empty the address's block list: everyone you blocked may ask again").Runs(UnblockAllAsync)),
        new Command("connect", "ask for contact through someone's address; they accept (or not), then you are connected").With(AddressLink, ContactName, Message, As, MailboxServer).Runs(ConnectAsync),
        new Command("requests", "the contact requests that came through your address ('purr receive' fetches new ones)").With(
            new Command("accept", "accept a request: the requester becomes a contact").With(RequestId, AcceptName, MailboxServer).Runs(AcceptAsync),
            new Command("reject", "forget a request (the requester is not told); --block keeps them from asking again").With(RequestId, Block).Runs(RejectAsync)).Runs(ListAsync),
    ];

    private static async Task<int> CreateAsync(CliContext context, bool replace)
    {
        await using var messenger = context.OpenMessenger();
        ContactAddress address;
        using (new Spinner("creating the address's mailbox"))
        {
            address = await messenger.CreateAddressAsync(context.Value(DisplayName) ?? messenger.Data.DisplayName, context.Value(AutoAccept), context.Value(Server), replace);
        }

        return Print(context, address.Link, replace ? "the old address is revoked; your new address:" : "your contact address (share it; anyone holding it can ask for contact):");
    }

    private static async Task<int> ShowAsync(CliContext context)
    {
        await using var messenger = context.OpenMessenger();
        var address = messenger.Data.Address ?? throw new MessengerException("this profile has no contact address; 'purr address create' makes one");
        var heading = address.AutoAccept ? "your contact address (requests are accepted at once):" : "your contact address:";
        return Print(context, address.Link, messenger.Handle is { } handle ? $"{heading} (handle {handle})" : heading);
    }

    private static int Print(CliContext context, string link, string heading)
    {
        if (context.Value(QrFile) is { } image)
        {
            QrCode.WritePng(link, image);
        }

        var text = context.Value(Qr) ? $"{heading}\n{QrCode.Render(link)}\n{link}" : $"{heading}\n{link}";
        context.Out.Result(new { address = link }, text);
        return 0;
    }

    private static async Task<int> RevokeAsync(CliContext context)
    {
        await using var messenger = context.OpenMessenger();
        await messenger.RevokeAddressAsync();
        context.Out.Result(new { revoked = true }, "address revoked: requests through it are refused from now on (waiting requests stay in 'purr requests')");
        return 0;
    }

    private static async Task<int> AutoAcceptAsync(CliContext context)
    {
        var on = context.Value(OnOff).ToLowerInvariant() switch
        {
            "on" => true,
            "off" => false,
            _ => throw new UsageException("say 'on' or 'off'"),
        };
        await using var messenger = context.OpenMessenger();
        await messenger.SetAutoAcceptAsync(on);
        context.Out.Result(new { autoAccept = on }, on ? "requests are accepted at once from now on" : "requests wait for you in 'purr requests'");
        return 0;
    }

    private static async Task<int> ConnectAsync(CliContext context)
    {
        var source = context.Value(AddressLink);
        var text = source.StartsWith("purr:", StringComparison.Ordinal) || !File.Exists(source) ? source : await File.ReadAllTextAsync(source);
        var name = context.Value(ContactName)!;
        await using var messenger = context.OpenMessenger();
        using (new Spinner("sending the request"))
        {
            await messenger.RequestContactAsync(text, name, context.Value(As) ?? messenger.Data.DisplayName, context.Value(Message) ?? "", context.Value(MailboxServer));
        }

        context.Out.Result(new { name, status = "requested" }, $"request sent; '{name}' becomes a contact when they accept ('purr receive' tells you)");
        return 0;
    }

    private static async Task<int> ListAsync(CliContext context)
    {
        await using var messenger = context.OpenMessenger();
        var requests = messenger.Data.Requests.Select(r => new { id = r.Id, displayName = r.DisplayName, message = r.Message, receivedAt = r.ReceivedAt }).ToList();
        var text = requests.Count == 0
            ? "no waiting requests" + (messenger.Data.Address is null ? " (and no address: 'purr address create')" : "")
            : string.Join('\n', requests.Select(r => $"{r.id}\t{r.displayName}\t{TimeFormat.Date(r.receivedAt)}{(r.message.Length > 0 ? $"\t\"{r.message}\"" : "")}"))
              + "\n'purr requests accept ID' or 'purr requests reject ID'";
        context.Out.Result(requests, text);
        return 0;
    }

    private static async Task<int> AcceptAsync(CliContext context)
    {
        await using var messenger = context.OpenMessenger();
        var request = messenger.Data.Requests.FirstOrDefault(r => string.Equals(r.Id, context.Value(RequestId).Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw new MessengerException($"no waiting request '{context.Value(RequestId)}'; 'purr requests' lists them");
        var name = context.Value(AcceptName) ?? messenger.FreeContactName(request.DisplayName);
        using (new Spinner("answering the request"))
        {
            await messenger.AcceptRequestAsync(request.Id, name, context.Value(MailboxServer));
        }

        context.Out.Result(new { name, status = "accepted" }, $"accepted; '{name}' is a contact (connected once their client answers)");
        return 0;
    }

    private static async Task<int> RejectAsync(CliContext context)
    {
        await using var messenger = context.OpenMessenger();
        await messenger.RejectRequestAsync(context.Value(RequestId), context.Value(Block));
        context.Out.Result(new { rejected = context.Value(RequestId), blocked = context.Value(Block) },
            context.Value(Block) ? "request forgotten; the server drops their further requests" : "request forgotten");
        return 0;
    }

    private static async Task<int> UnblockAllAsync(CliContext context)
    {
        await using var messenger = context.OpenMessenger();
        await messenger.UnblockAllAsync();
        context.Out.Result(new { unblocked = true }, "the block list is empty");
        return 0;
    }
}
