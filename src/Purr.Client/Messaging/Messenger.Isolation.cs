using Purr.Client.Profiles;
using Purr.Protocol;

namespace Purr.Client.Messaging;

/// <summary>
/// Transport isolation (README "Isolation", SECURITY.md): which of a profile's mailboxes share a connection. A server
/// sees every mailbox one connection subscribes to, so one connection for everything lets it link them all.
/// </summary>
public enum TransportIsolation
{
    /// <summary>
    /// The default: one connection to the own server (which sees this device's address on every connection anyway),
    /// and a separate relayed connection per contact and per room to every other server, which sees only the own
    /// server's link, shared with its other users.
    /// </summary>
    Auto,

    /// <summary>One connection per server for everything: the fewest connections; each server links all of them.</summary>
    Shared,

    /// <summary>
    /// A separate connection per contact and per room to every server, the own one too: useful where the own server
    /// cannot link connections by address (a VPN or network many people share); one connection each (Limits:MaxConnectionsPerIp).
    /// </summary>
    PerContact,
}

public sealed partial class Messenger
{
    public TransportIsolation Isolation => ParseIsolation(Data.Isolation);

    public static string IsolationName(TransportIsolation isolation) => isolation switch
    {
        TransportIsolation.Shared => "shared",
        TransportIsolation.PerContact => "per-contact",
        _ => "auto",
    };

    /// <summary>A stored setting; anything this version does not know reads as auto.</summary>
    public static TransportIsolation ParseIsolation(string? text) => text switch
    {
        "shared" => TransportIsolation.Shared,
        "per-contact" => TransportIsolation.PerContact,
        _ => TransportIsolation.Auto,
    };

    /// <summary>Changes the profile's isolation; connections already open stay until the messenger closes.</summary>
    public async Task SetIsolationAsync(TransportIsolation isolation)
    {
        await gate.WaitAsync();
        try
        {
            Data.Isolation = isolation == TransportIsolation.Auto ? null : IsolationName(isolation);
            file.Save(Data);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// The connection group for <paramref name="owner"/>'s traffic to <paramref name="server"/>: "" (the shared
    /// connection), or one of its own (a contact by its identity key, an invite or a room by name, the address).
    /// </summary>
    private string GroupFor(string server, object? owner)
    {
        var isolation = Isolation;
        if (owner is null || isolation == TransportIsolation.Shared
            || (isolation == TransportIsolation.Auto && (Data.Server.Length == 0 || SameServer(server, Data.Server))))
        {
            return "";
        }

        return owner switch
        {
            ContactRecord contact => "contact:" + Base64Url.Encode(contact.TheirIdentityKey),
            InviteRecord invite => "invite:" + invite.Name,
            AddressRecord => "address",
            RoomRecord room => "room:" + room.Name,
            _ => "",
        };
    }

    /// <summary>The group of a mailbox this profile holds (by its owner in the profile).</summary>
    private string GroupOf(MailboxRecordData mailbox) =>
        GroupFor(mailbox.Server, AllMailboxes().FirstOrDefault(m => ReferenceEquals(m.Mailbox, mailbox)).Owner);
}
