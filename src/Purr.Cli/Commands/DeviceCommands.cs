using System.CommandLine;
using Purr.Client.History;
using Purr.Client.Messaging;
using Purr.Client.Profiles;
using static Purr.Cli.CommandBuilding;

namespace Purr.Cli.Commands;

/// <summary>`purr devices link|join|list|revoke`: one profile on several devices (PROTOCOL.md 10.10).</summary>
internal static class DeviceCommands
{
    private static readonly Option<string?> NewName = Text("--name", "what to call the new device (e.g. laptop)", "NAME", required: true);
    private static readonly Option<string?> ThisName = Text("--this-name", "what to call this device, the first time it links one (default: first device)", "NAME");
    private static readonly Option<string?> JoinName = Text("--name", "what to call this device (default: the name the link gives it)", "NAME");
    private static readonly Option<bool> WithHistory = Flag("--history", "also give the new device the messages kept on this one");
    private static readonly Option<bool> Qr = Flag("--qr", "also print the link as a QR code");
    private static readonly Option<string?> OutFile = Text("--out-file", "also write the link to this file", "FILE");
    private static readonly Option<int> WaitMinutes = new("--wait") { Description = "minutes to wait for the other device (default 10)", DefaultValueFactory = _ => 10 };
    private static readonly Option<bool> NoPassphrase = Flag("--no-passphrase", "store the new profile unencrypted (not recommended)");
    private static readonly Argument<string> Link = Positional("link", "the purr:link/ link the other device shows");
    private static readonly Argument<string> Device = Positional("name", "the device, as 'purr devices list' names it");

    public static Command Build()
    {
        var devices = new Command("devices", "use this profile on several devices: link one, list them, revoke one");
        devices.Subcommands.Add(new Command("link", "show a one-time link for a new device; after the codes match it gets this profile's contacts and settings")
            .With(NewName, ThisName, WithHistory, Qr, OutFile, WaitMinutes).Runs(LinkAsync));
        devices.Subcommands.Add(new Command("join", "make this profile a new device of the profile whose link you have (purr devices link on it)")
            .With(Link, JoinName, NoPassphrase, WaitMinutes).Runs(JoinAsync));
        devices.Subcommands.Add(new Command("list", "this profile's devices").Runs(ListAsync));
        devices.Subcommands.Add(new Command("revoke", "stop a device (a lost one) from receiving or sending as this profile; contacts' clients follow by themselves")
            .With(Device).Runs(RevokeAsync));
        return devices;
    }

    private static async Task<int> LinkAsync(CliContext context)
    {
        var wait = TimeSpan.FromMinutes(Math.Max(1, context.Value(WaitMinutes)));
        await using var messenger = context.OpenMessenger();
        var name = context.Value(NewName)!;
        var link = await messenger.OfferDeviceLinkAsync(name, wait, context.Value(ThisName));
        if (context.Value(OutFile) is { } path)
        {
            // Whole or not at all: whoever watches for the file (a script, another terminal) never reads half a link.
            var partial = path + ".partial";
            await File.WriteAllTextAsync(partial, link + "\n");
            File.Move(partial, path, overwrite: true);
        }

        Console.Error.WriteLine((context.Value(Qr) ? QrCode.Render(link) + "\n" : "") + link + "\n"
            + $"Open it on the new device: purr devices join LINK (or, in a new browser, paste it under \"Using Purr on another device already?\"). Waiting up to {wait.TotalMinutes:0} minutes…");
        var answered = await WaitForAsync<DeviceLinkAnswered>(messenger, wait)
            ?? throw new MessengerException("no device answered the link in time; run 'purr devices link' again");

        Console.Error.WriteLine($"Code: {answered.Code}");
        Console.Error.Write("Does the new device show the same code? [y/N] ");
        var reply = Console.In.ReadLine()?.Trim().ToLowerInvariant();
        if (reply is not ("y" or "yes"))
        {
            await messenger.RejectDeviceLinkAsync(answered.DeviceId);
            throw new MessengerException("the codes did not match: that device got nothing; link again (someone else may have opened the link)");
        }

        IReadOnlyList<HistoryEntry> history = context.Value(WithHistory) ? messenger.History.Read() : [];
        await messenger.ConfirmDeviceLinkAsync(answered.DeviceId, history);
        Console.Error.WriteLine("Sent the profile; waiting for the new device's keys…");
        var linked = await WaitForAsync<DeviceLinked>(messenger, TimeSpan.FromMinutes(2))
            ?? throw new MessengerException("the new device did not answer; once it runs 'purr receive' (or opens), run 'purr receive' here to finish");
        context.Out.Result(new { device = linked.Device, contacts = linked.Contacts, messages = history.Count },
            $"linked {linked.Device}: it has {linked.Contacts} contact(s) and {history.Count} message(s); contacts' clients start sessions with it as they come online");
        return 0;
    }

    private static async Task<int> JoinAsync(CliContext context)
    {
        var wait = TimeSpan.FromMinutes(Math.Max(1, context.Value(WaitMinutes)));
        var link = context.Value(Link);
        Client.EndToEnd.Card.ParseDeviceLink(link, DateTimeOffset.UtcNow);
        Messenger messenger;
        if (ProfileFile.Exists(context.ProfileDirectory))
        {
            // An empty profile (made with purr init --invite for a server that asks for one) may join too.
            messenger = context.OpenMessenger();
        }
        else
        {
            var passphrase = context.Value(NoPassphrase) ? null : Passphrase.NewPassphrase();
            var data = new ProfileData { DeviceName = context.Value(JoinName)?.Trim() ?? "" };
            messenger = new Messenger(ProfileFile.Create(context.ProfileDirectory, passphrase, data), data);
        }

        await using (messenger)
        {
            if (context.Value(JoinName) is { } name && name.Trim().Length > 0)
            {
                messenger.Data.DeviceName = name.Trim();
            }

            var code = await messenger.AnswerDeviceLinkAsync(link);
            Console.Error.WriteLine($"Code: {code}\nCheck that the other device shows the same code and confirm there. Waiting…");
            var linked = await WaitForAsync<ProfileLinked>(messenger, wait)
                ?? throw new MessengerException("the other device did not send the profile in time; link again");
            context.Out.Result(
                new { profile = context.ProfileDirectory, device = messenger.Data.DeviceName, contacts = linked.Contacts, messages = linked.Messages, rooms = linked.Rooms, roomsNotJoined = linked.RoomsNotJoined },
                $"this device ({messenger.Data.DeviceName}) now uses the profile: {linked.Contacts} contact(s), {linked.Messages} message(s) of history, {linked.Rooms} room(s).\n"
                + (linked.RoomsNotJoined.Count > 0 ? $"Could not join {string.Join(", ", linked.RoomsNotJoined)} (locked, a password, or gone): join again with its link.\n" : "")
                + "Each contact's client starts a session with it when it next comes online; until then messages to that contact wait.");
        }

        return 0;
    }

    private static async Task<int> ListAsync(CliContext context)
    {
        await using var messenger = context.OpenMessenger();
        var devices = messenger.ListDevices();
        context.Out.Result(
            devices.Select(d => new { id = d.DeviceId, name = d.Name, thisDevice = d.ThisDevice, confirmed = d.Confirmed, linkedAt = d.LinkedAt }).ToList(),
            devices.Count == 1
                ? "this profile is on this device only; 'purr devices link --name NAME' adds another"
                : string.Join('\n', devices.Select(d => $"{d.Name}{(d.ThisDevice ? " (this device)" : "")}{(d.Confirmed ? "" : " (not confirmed)")}"
                    + (d.LinkedAt is { } at ? $", linked {TimeFormat.Date(at)}" : ""))));
        return 0;
    }

    private static async Task<int> RevokeAsync(CliContext context)
    {
        await using var messenger = context.OpenMessenger();
        var name = context.Value(Device);
        await messenger.RevokeDeviceAsync(name);
        context.Out.Result(new { revoked = name },
            $"revoked {name}: your other devices and your contacts' clients stop sending to it as they receive the new lists; nothing it sends is taken");
        return 0;
    }

    /// <summary>Receives (showing what comes meanwhile) until an event of type <typeparamref name="T"/> or the deadline.</summary>
    private static async Task<T?> WaitForAsync<T>(Messenger messenger, TimeSpan wait) where T : MessengerEvent
    {
        var deadline = DateTimeOffset.UtcNow + wait;
        while (DateTimeOffset.UtcNow < deadline)
        {
            var left = deadline - DateTimeOffset.UtcNow;
            foreach (var item in await messenger.ReceiveAsync(left < TimeSpan.FromSeconds(5) ? left : TimeSpan.FromSeconds(5)))
            {
                if (item is T wanted)
                {
                    return wanted;
                }

                Console.Error.WriteLine(MessageCommands.Format(item));
            }
        }

        return null;
    }
}
