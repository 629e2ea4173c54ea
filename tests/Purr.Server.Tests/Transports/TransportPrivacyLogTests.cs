using Purr.Client;
using Purr.Crypto;
using Purr.Protocol;

namespace Purr.Server.Tests.Transports;

/// <summary>
/// The privacy log test for the other transports: mailbox traffic over the raw framing (TCP) and MQTT with every log
/// level on, and no id, key, payload, address or MQTT connection name in any line.
/// </summary>
public sealed class TransportPrivacyLogTests
{
    [Fact]
    public async Task Raw_framing_and_MQTT_traffic_logs_no_user_data()
    {
        await using var broker = await Mosquitto.StartAsync();
        var logs = new CapturingLoggerProvider();
        var settings = new Dictionary<string, string>
        {
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
            ["Mqtt:Endpoint"] = $"mqtt://127.0.0.1:{broker.Port}/purr/private",
        };
        var secrets = new List<byte[]>();
        var texts = new List<string> { "127.0.0.1", "::1", "localhost", "purr/private", broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        await using (var server = await RunningServer.StartAsync(settings: settings, logs: logs))
        {
            secrets.Add(server.Address.IdentityKey);
            var mqtt = TransportEndpoint.Parse(settings["Mqtt:Endpoint"]);
            var tcp = TransportEndpoint.Parse($"tcp://127.0.0.1:{server.Address.Port}");
            await using var receiver = await ConnectAsync(server.Address, mqtt);
            await using var sender = await PurrConnection.ConnectAsync(server.Address, tcp, new PurrConnectionOptions());
            using var key = Ed25519KeyPair.Generate();
            var mailbox = await receiver.CreateMailboxAsync(key);
            secrets.AddRange([mailbox.ReceiveId, mailbox.SendId, key.PublicKey]);
            var payload = "private words over two transports"u8.ToArray();
            secrets.Add(payload);
            var messageId = await sender.SendAsync(mailbox.SendId, payload);
            secrets.Add(messageId);
            var fetched = await receiver.FetchAsync(mailbox.ReceiveId, key);
            Assert.Equal(payload, fetched!.Payload);
            await Assert.ThrowsAsync<PurrProtocolException>(() => sender.FetchAsync(mailbox.ReceiveId, Ed25519KeyPair.Generate()));
        }

        var lines = logs.Lines.ToList();
        Assert.Contains(lines, l => l.Contains("Connection opened", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("MQTT transport: connected", StringComparison.Ordinal));
        foreach (var secret in secrets)
        {
            texts.AddRange([Convert.ToHexStringLower(secret), Convert.ToHexString(secret), Convert.ToBase64String(secret).TrimEnd('='), Base64Url.Encode(secret)]);
        }

        foreach (var line in lines)
        {
            Assert.DoesNotMatch("/[ud]/[A-Za-z0-9_-]{22}", line);
            foreach (var text in texts)
            {
                Assert.False(line.Contains(text, StringComparison.Ordinal), $"log line reveals user data ({text}): {line}");
            }
        }
    }

    private static async Task<PurrConnection> ConnectAsync(PurrAddress address, TransportEndpoint mqtt)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await PurrConnection.ConnectAsync(address, mqtt, new PurrConnectionOptions { ConnectTimeout = TimeSpan.FromSeconds(1) });
            }
            catch (PurrConnectionException) when (attempt < 20)
            {
                // purrd subscribes at the broker just after it starts.
                await Task.Delay(100);
            }
        }
    }
}
