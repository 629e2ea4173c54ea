using Purr.Client;
using Purr.Crypto;

namespace Purr.Server.Tests.Federation;

/// <summary>
/// Many forwards in flight at once on one link (PROTOCOL.md 15.1), from several clients of the proxy: every one is
/// answered, and each message arrives once.
/// </summary>
public sealed class RelayConcurrencyTests
{
    [Fact]
    public async Task Two_hundred_forwards_in_flight_at_once_are_all_delivered_once()
    {
        var settings = new Dictionary<string, string>
        {
            ["Federation:Mode"] = "open",
            ["Federation:AllowPrivateAddresses"] = "true",
            ["Mailboxes:SendsPerMinutePerMailbox"] = "100000",
            ["Mailboxes:Quota"] = "1000",
        };
        await using var proxy = await RunningServer.StartAsync(settings: settings);
        await using var destination = await RunningServer.StartAsync(settings: settings);
        await using var recipient = await destination.ConnectAsync();
        using var key = Ed25519KeyPair.Generate();
        var mailbox = await recipient.CreateMailboxAsync(key);
        var senders = new List<PurrConnection>();
        for (var i = 0; i < 4; i++)
        {
            senders.Add(await proxy.ConnectAsync());
        }

        var relay = await senders[0].RelayKeysAsync(destination.Address);
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            senders[i % senders.Count].SendRelayedAsync(relay, mailbox.SendId, System.Text.Encoding.UTF8.GetBytes($"message {i}"))));

        var received = new HashSet<string>();
        while (await recipient.FetchAsync(mailbox.ReceiveId, key) is { } message)
        {
            Assert.True(received.Add(System.Text.Encoding.UTF8.GetString(message.Payload)));
            await recipient.AckAsync(mailbox.ReceiveId, message.MessageId, key);
        }

        Assert.Equal(200, received.Count);
        foreach (var sender in senders)
        {
            await sender.DisposeAsync();
        }
    }
}
