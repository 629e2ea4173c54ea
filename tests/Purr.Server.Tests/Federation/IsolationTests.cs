using Microsoft.Extensions.DependencyInjection;
using Purr.Client.Messaging;
using Purr.Core.Ids;
using Purr.Server.Mailboxes;
using Purr.Server.Tests.Messaging;

namespace Purr.Server.Tests.Federation;

/// <summary>
/// Transport isolation (issue 11, item 6): which of a profile's mailboxes share a connection, seen from the servers'
/// own connection tables. Shared: one connection holds every contact's mailboxes on a server. Auto (the default): on
/// another server each contact's mailboxes are on a relayed connection of their own. Per contact: on every server.
/// </summary>
public sealed class IsolationTests
{
    private static readonly Dictionary<string, string> Federating = new()
    {
        ["Federation:Mode"] = "open",
        ["Federation:AllowPrivateAddresses"] = "true",
    };

    [Theory]
    [InlineData(TransportIsolation.Auto)]
    [InlineData(TransportIsolation.PerContact)]
    [InlineData(TransportIsolation.Shared)]
    public async Task No_connection_holds_two_contacts_mailboxes_unless_the_profile_shares_them(TransportIsolation isolation)
    {
        await using var a = await RunningServer.StartAsync(settings: Federating);
        await using var b = await RunningServer.StartAsync(settings: Federating);
        await using var profiles = new TestProfiles();
        var alice = profiles.Create(a, "Alice");
        await alice.SetIsolationAsync(isolation);
        Assert.Equal(isolation, alice.Isolation);

        // Bob and Carol write to Alice's mailboxes on B (their server); Dave and Erin to hers on A (her own).
        var contacts = new Dictionary<string, Messenger>();
        foreach (var (name, server) in new[] { ("bob", b), ("carol", b), ("dave", a), ("erin", a) })
        {
            var contact = profiles.Create(server, name);
            var card = await alice.InviteAsync(name, "Alice", TimeSpan.FromDays(1), server: server.Address.ToString());
            await contact.AcceptAsync(card.Link, "alice", name);
            contacts[name] = contact;
        }

        // Alice listens (one subscription per mailbox, as the CLI's receive --wait and chat do) until all four wrote.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var established = 0;
        var listening = alice.ListenAsync(e => e is ContactEstablished && ++established == 4, stop.Token);
        await Task.Delay(300);
        await listening;
        var heard = new HashSet<string>();
        listening = alice.ListenAsync(
            e =>
            {
                if (e is TextReceived text)
                {
                    heard.Add(text.Text);
                }

                return heard.Count == 4;
            },
            stop.Token);
        await Task.Delay(1000);

        // The connection tables while Alice listens.
        var tableA = a.Services.GetRequiredService<LiveDelivery>().SubscriptionsByConnection();
        var tableB = b.Services.GetRequiredService<LiveDelivery>().SubscriptionsByConnection();
        foreach (var (name, contact) in contacts)
        {
            await contact.SendTextAsync("alice", "from " + name);
        }

        await listening;
        Assert.Equal(4, heard.Count);

        int MostContactsOnOneConnection(IReadOnlyList<IReadOnlyList<OpaqueId>> table) =>
            table.Max(held => contacts.Keys.Count(name => alice.Contact(name).Inbox.Any(m => held.Contains(OpaqueId.FromBytes(m.ReceiveId)))));

        var onB = MostContactsOnOneConnection(tableB);
        var onA = MostContactsOnOneConnection(tableA);
        switch (isolation)
        {
            case TransportIsolation.Shared:
                Assert.Equal((2, 2), (onA, onB));
                break;
            case TransportIsolation.Auto:
                Assert.Equal((2, 1), (onA, onB));
                break;
            default:
                Assert.Equal((1, 1), (onA, onB));
                break;
        }
    }
}
