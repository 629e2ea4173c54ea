using Microsoft.Extensions.DependencyInjection;
using Purr.Client.Messaging;
using Purr.Server.Federation;
using Purr.Server.Tests.Messaging;
using Purr.Server.Transport;

namespace Purr.Server.Tests.Federation;

/// <summary>
/// Receiving through a relay (issue 11, item 4): a profile whose mailboxes for a contact are on another server than its
/// own creates, subscribes to and is pushed from them through its own server, and that other server never gets a
/// connection from the profile's device (only the link from the profile's server).
/// </summary>
public sealed class RelayedReceivingTests
{
    private static readonly Dictionary<string, string> Federating = new()
    {
        ["Federation:Mode"] = "open",
        ["Federation:AllowPrivateAddresses"] = "true",
    };

    [Fact]
    public async Task Mailboxes_on_another_server_are_created_and_listened_to_through_the_own_server()
    {
        await using var a = await RunningServer.StartAsync(settings: Federating);
        await using var b = await RunningServer.StartAsync(settings: Federating);
        await using var profiles = new TestProfiles();
        var alice = profiles.Create(a, "Alice");
        var bob = profiles.Create(b, "Bob");

        // Alice's card puts her mailbox for Bob on Bob's server B: she reaches B only through A.
        var card = await alice.InviteAsync("bob", "Alice", TimeSpan.FromDays(1), server: b.Address.ToString());
        await bob.AcceptAsync(card.Link, "alice", "Bob");
        Assert.Contains(await alice.ReceiveAsync(TimeSpan.FromSeconds(10)), e => e is ContactEstablished);
        Assert.Contains(await bob.ReceiveAsync(TimeSpan.FromSeconds(10)), e => e is ContactEstablished);
        Assert.Contains(alice.Contact("bob").Inbox, m => m.Server == b.Address.ToString());

        var atB = await alice.ConnectionAsync(b.Address.ToString());
        Assert.True(atB.IsRelayed);
        Assert.False((await alice.ConnectionAsync(a.Address.ToString())).IsRelayed);

        // Live: Alice listens; Bob's texts are pushed to her through the tunnel and acked there.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var heard = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var listening = alice.ListenAsync(
            e =>
            {
                if (e is TextReceived text)
                {
                    heard.TrySetResult(text.Text);
                    return true;
                }

                return false;
            },
            stop.Token);
        await Task.Delay(500);
        await bob.SendTextAsync("alice", "pushed to you through your server");
        Assert.Equal("pushed to you through your server", await heard.Task.WaitAsync(TimeSpan.FromSeconds(20)));
        await listening;

        // B holds Bob's own connection and the link from A, with Alice's sessions inside tunnels (one per isolation group:
        // the invite's, the contact's, and the shared one asked for above): nothing from Alice's device.
        Assert.Equal(3, b.Services.GetRequiredService<TunnelEndpoint>().Serving);
        Assert.Equal(2, b.Services.GetRequiredService<ConnectionAdmission>().Open);
        await alice.SendTextAsync("bob", "and back");
        Assert.Equal("and back", Assert.Single((await bob.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<TextReceived>()).Text);
        Assert.Equal(2, b.Services.GetRequiredService<ConnectionAdmission>().Open);
    }

    [Fact]
    public async Task Without_a_relaying_home_server_auto_connects_directly_and_via_home_refuses()
    {
        await using var a = await RunningServer.StartAsync();
        await using var b = await RunningServer.StartAsync(settings: Federating);
        await using var profiles = new TestProfiles();
        var carol = profiles.Create(a, "Carol");
        var dave = profiles.Create(b, "Dave");
        var card = await carol.InviteAsync("dave", "Carol", TimeSpan.FromDays(1), server: b.Address.ToString());
        await dave.AcceptAsync(card.Link, "carol", "Dave");
        Assert.Contains(await carol.ReceiveAsync(TimeSpan.FromSeconds(10)), e => e is ContactEstablished);
        Assert.False((await carol.ConnectionAsync(b.Address.ToString())).IsRelayed);

        // A fresh messenger on the same profile with the route via-home: it will not connect to B directly.
        await carol.SetRouteAsync("dave", RouteChoice.ViaHome);
        await using var strict = profiles.Reopen(carol);
        var refused = await Assert.ThrowsAsync<Client.PurrConnectionException>(() => strict.ConnectionAsync(b.Address.ToString()));
        Assert.Contains("never goes directly", refused.Message, StringComparison.Ordinal);
        Assert.Equal(Protocol.V1.ErrorCode.PeerRefused, Assert.IsType<Client.PurrProtocolException>(refused.InnerException).Code);
    }
}
