using Purr.Client;
using Purr.Client.Messaging;
using Purr.Crypto;

namespace Purr.Server.Tests.Messaging;

/// <summary>
/// A thousand messages each way, with loss, reordering and duplication injected between the client
/// and the server: everything that was not lost arrives exactly once, nothing fails to decrypt, and
/// the conversation goes on afterwards.
/// </summary>
public sealed class UnreliableNetworkTests
{
    private const int Messages = 1000;

    [Fact]
    public async Task Thousand_messages_each_way_through_a_lossy_reordering_duplicating_path()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Mailboxes:Quota"] = "10000",
            ["Limits:RequestsPerSecond"] = "100000",
            ["Mailboxes:SendsPerMinutePerMailbox"] = "100000",
        });
        await using var profiles = new TestProfiles();
        var alice = profiles.Create(server, "Alice");
        var bob = profiles.Create(server, "Bob");
        await TestProfiles.ConnectAsync(alice, "bob", bob, "alice");
        var random = new Random(20261122);

        foreach (var (from, fromCalls, to, toCalls) in new[] { (bob, "alice", alice, "bob"), (alice, "bob", bob, "alice") })
        {
            var texts = new List<string>();
            for (var i = 0; i < Messages; i++)
            {
                texts.Add($"message {i} from {from.Data.DisplayName}");
                await from.SendTextAsync(fromCalls, texts[^1]);
            }

            var lost = await MangleAsync(server, to, toCalls, from, fromCalls, random);
            var events = await to.ReceiveAsync(TimeSpan.Zero);
            var received = events.OfType<TextReceived>().Select(t => t.Text).ToList();

            Assert.Empty(events.OfType<UndecryptableMessage>());
            Assert.Equal(received.Count, received.Distinct().Count());
            Assert.Equal(texts.Except(lost).Order(), received.Order());
            Assert.InRange(lost.Count, 1, Messages / 5);

            // Delivery receipts for what arrived flow back, and the conversation continues.
            await from.ReceiveAsync(TimeSpan.Zero);
            Assert.True(from.Contact(fromCalls).Delivered.Count >= Math.Min(received.Count, 512));
            await to.SendTextAsync(toCalls, "still talking");
            Assert.Contains((await from.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<TextReceived>(), t => t.Text == "still talking");
        }
    }

    /// <summary>Takes every waiting message out of the recipient's mailbox and puts back a mangled sequence. Returns the texts lost.</summary>
    private static async Task<List<string>> MangleAsync(
        RunningServer server, Messenger recipient, string recipientCallsSender, Messenger sender, string senderCallsRecipient, Random random)
    {
        var inbox = recipient.Contact(recipientCallsSender).Inbox[0];
        using var recipientKey = Ed25519KeyPair.FromSeed(inbox.RecipientKeySeed);
        using var senderKey = Ed25519KeyPair.FromSeed(sender.Contact(senderCallsRecipient).Outbox!.SenderKeySeed);
        await using var path = await server.ConnectAsync();

        var captured = new List<byte[]>();
        while (await path.FetchAsync(inbox.ReceiveId, recipientKey) is { } message)
        {
            captured.Add(message.Payload);
            await path.AckAsync(inbox.ReceiveId, message.MessageId, recipientKey);
        }

        Assert.True(captured.Count >= Messages);
        var lostIndexes = new HashSet<int>();
        var mangled = new List<(int Index, byte[] Payload)>();
        for (var i = 0; i < captured.Count; i++)
        {
            if (random.NextDouble() < 0.05)
            {
                lostIndexes.Add(i);
                continue;
            }

            mangled.Add((i, captured[i]));
            if (random.NextDouble() < 0.05)
            {
                mangled.Add((i, captured[i]));
            }
        }

        // Reorder within windows of 20 (the skipped-key limit bounds how far apart reordering may be).
        for (var start = 0; start < mangled.Count; start += 20)
        {
            var window = mangled.GetRange(start, Math.Min(20, mangled.Count - start)).OrderBy(_ => random.Next()).ToList();
            for (var j = 0; j < window.Count; j++)
            {
                mangled[start + j] = window[j];
            }
        }

        foreach (var (_, payload) in mangled)
        {
            await path.SendAsync(inbox.SendId, payload, senderKey);
        }

        // Which texts were lost: the captured payloads are in send order, one text each (receipts go the other way).
        return lostIndexes.Select(i => $"message {i} from {sender.Data.DisplayName}").ToList();
    }
}
