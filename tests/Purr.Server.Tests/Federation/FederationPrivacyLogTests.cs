using Purr.Client;
using Purr.Crypto;
using Purr.Protocol;

namespace Purr.Server.Tests.Federation;

/// <summary>
/// The privacy log test for federation: a send relayed from a client of one server to a mailbox on another, with every
/// log level on in both, and no id, key, payload or address (of a client or of either server) in any line.
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

            // The operator's counts (purrctl status, /metrics): two forwards carried by the proxy, two packets answered.
            var proxied = await StatusAsync(proxy);
            Assert.Equal(("open", 1, 2L, 0L), ((string)proxied["mode"], (int)proxied["linksUp"], (long)proxied["forwarded"], (long)proxied["forwardsFailed"]));
            var destined = await StatusAsync(destination);
            Assert.Equal((1L, 2L, 0L), ((long)destined["linksAccepted"], (long)destined["packetsAnswered"], (long)destined["packetsRefused"]));
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
