using Purr.Client;
using Purr.Crypto;
using Purr.Protocol;

namespace Purr.Server.Tests.Federation;

/// <summary>
/// The privacy log test for federation: sends relayed from a client of one server to a mailbox on another, by one proxy
/// and by an onion route, and a subscription through a relayed connection, with every log level on in both, and no id, key, payload or address (of a client or of either
/// server) in any line.
/// </summary>
public sealed class FederationPrivacyLogTests
{
    [Fact]
    public async Task A_relayed_send_logs_no_user_data_on_either_server()
    {
        var logs = new CapturingLoggerProvider();
        var settings = new Dictionary<string, string>
        {
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
            ["Federation:Mode"] = "open",
            ["Federation:AllowPrivateAddresses"] = "true",
        };
        var secrets = new List<byte[]>();
        var texts = new List<string> { "127.0.0.1", "::1", "localhost" };
        await using (var proxy = await RunningServer.StartAsync(settings: settings, logs: logs))
        await using (var destination = await RunningServer.StartAsync(settings: settings, logs: logs))
        {
            secrets.AddRange([proxy.Address.IdentityKey, destination.Address.IdentityKey]);
            texts.AddRange([proxy.Address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), destination.Address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await using var recipient = await destination.ConnectAsync();
            await using var sender = await proxy.ConnectAsync();
            using var key = Ed25519KeyPair.Generate();
            var mailbox = await recipient.CreateMailboxAsync(key);
            secrets.AddRange([mailbox.ReceiveId, mailbox.SendId, key.PublicKey]);
            var payload = "private words through a relay"u8.ToArray();
            secrets.Add(payload);
            var relay = await sender.RelayKeysAsync(destination.Address);
            secrets.Add(relay.X25519Key);
            var messageId = await sender.SendRelayedAsync(relay, mailbox.SendId, payload);
            secrets.Add(messageId);
            Assert.Equal(payload, (await recipient.FetchAsync(mailbox.ReceiveId, key))!.Payload);
            var refused = await Assert.ThrowsAsync<PurrProtocolException>(() => sender.SendRelayedAsync(relay, Ed25519KeyPair.Generate().PublicKey[..16], payload));
            Assert.Equal(Protocol.V1.ErrorCode.Auth, refused.Code);

            // And through a two-hop onion route: the proxy peels its layer, the destination peels the last and delivers.
            var home = await sender.RelayKeysAsync(proxy.Address);
            secrets.Add(home.X25519Key);
            var onionPayload = "private words through an onion route"u8.ToArray();
            secrets.Add(onionPayload);
            secrets.Add(await sender.SendRelayedAsync(relay, mailbox.SendId, onionPayload, route: [home, relay]));

            // The operator's counts (purrctl status, /metrics): three forwards carried by the proxy (the last an onion
            // layer it passed on), three packets answered, the onion's last layer peeled at the destination.
            var proxied = await StatusAsync(proxy);
            Assert.Equal(("open", 1, 3L, 0L), ((string)proxied["mode"], (int)proxied["linksUp"], (long)proxied["forwarded"], (long)proxied["forwardsFailed"]));
            Assert.Equal((1L, 0L), ((long)proxied["onionForwarded"], (long)proxied["onionExited"]));
            // And a relayed connection (tunnel): a mailbox on the destination created, subscribed, pushed to, acked.
            await using (var tunneled = await PurrConnection.ConnectThroughAsync(sender, destination.Address))
            {
                using var tunnelKey = Ed25519KeyPair.Generate();
                var tunnelMailbox = await tunneled.CreateMailboxAsync(tunnelKey);
                secrets.AddRange([tunnelMailbox.ReceiveId, tunnelMailbox.SendId, tunnelKey.PublicKey, tunneled.SessionNonce.ToArray()]);
                await tunneled.SubscribeAsync(tunnelMailbox.ReceiveId, tunnelKey);
                var tunnelPayload = "private words through a tunnel"u8.ToArray();
                secrets.Add(tunnelPayload);
                await recipient.SendAsync(tunnelMailbox.SendId, tunnelPayload);
                var pushed = await tunneled.NextAsync<MessageReceived>();
                Assert.Equal(tunnelPayload, pushed.Payload);
                await tunneled.AckAsync(tunnelMailbox.ReceiveId, pushed.MessageId, tunnelKey);
                Assert.Equal(1, (int)(await StatusAsync(proxy))["tunnelsCarried"]);
                Assert.Equal(1, (int)(await StatusAsync(destination))["tunnelsServed"]);
            }

            var destined = await StatusAsync(destination);
            Assert.Equal((1L, 3L, 0L), ((long)destined["linksAccepted"], (long)destined["packetsAnswered"], (long)destined["packetsRefused"]));
            Assert.Equal((0L, 1L, 0L), ((long)destined["onionForwarded"], (long)destined["onionExited"], (long)destined["onionRefused"]));
        }

        var lines = logs.Lines.ToList();
        Assert.Contains(lines, l => l.Contains("link to a peer server up", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("peer server's link was accepted", StringComparison.Ordinal));
        foreach (var secret in secrets)
        {
            texts.AddRange([Convert.ToHexStringLower(secret), Convert.ToHexString(secret), Convert.ToBase64String(secret).TrimEnd('='), Base64Url.Encode(secret)]);
        }

        foreach (var line in lines)
        {
            foreach (var text in texts)
            {
                Assert.False(line.Contains(text, StringComparison.Ordinal), $"log line reveals user data ({text}): {line}");
            }
        }
    }

    private static async Task<IReadOnlyDictionary<string, object>> StatusAsync(RunningServer server) =>
        await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetServices<Modules.IOperatorReport>(server.Services)
            .Single(r => r.Section == "federation").StatusAsync(CancellationToken.None);
}
