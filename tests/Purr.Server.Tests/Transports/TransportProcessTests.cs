using Purr.Client;
using Purr.Crypto;
using Purr.Protocol;
using Purr.TestKit;

namespace Purr.Server.Tests.Transports;

/// <summary>
/// The transports in a real purrd process (the native AOT binary too: scripts/test-aot.sh runs these): the start line
/// prints the address with the MQTT endpoint, and mailboxes work over MQTT and the raw framing.
/// </summary>
public sealed class TransportProcessTests
{
    [Fact]
    public async Task A_purrd_process_prints_its_transports_and_serves_MQTT_and_the_raw_framing()
    {
        await using var broker = await Mosquitto.StartAsync();
        using var data = new TemporaryDirectory();
        var mqttUrl = $"mqtt://127.0.0.1:{broker.Port}/purr/process";
        using var purrd = await PurrdProcess.StartAsync(
            data.Path, "--storage", "memory", "--Mqtt:Endpoint", mqttUrl, "--Transports:Advertise:0", "tcp://127.0.0.1:1");
        Assert.Equal(["tcp://127.0.0.1:1", mqttUrl], purrd.Address.Transports.Select(t => t.ToString()));

        var mqtt = TransportEndpoint.Parse(mqttUrl);
        PurrConnection? receiver = null;
        for (var attempt = 0; receiver is null; attempt++)
        {
            try
            {
                receiver = await PurrConnection.ConnectAsync(purrd.Address, mqtt, new PurrConnectionOptions { ConnectTimeout = TimeSpan.FromSeconds(1) });
            }
            catch (PurrConnectionException) when (attempt < 30)
            {
                await Task.Delay(200);
            }
        }

        await using (receiver)
        await using (var sender = await PurrConnection.ConnectAsync(
            purrd.Address, TransportEndpoint.Parse($"tcp://127.0.0.1:{purrd.Address.Port}"), new PurrConnectionOptions()))
        {
            using var key = Ed25519KeyPair.Generate();
            var mailbox = await receiver.CreateMailboxAsync(key);
            await sender.SendAsync(mailbox.SendId, "from tcp to mqtt"u8.ToArray());
            Assert.Equal("from tcp to mqtt"u8.ToArray(), (await receiver.FetchAsync(mailbox.ReceiveId, key))!.Payload);
        }

        await purrd.SignalAsync("TERM");
        await purrd.WaitForExitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(0, purrd.ExitCode);
    }
}
