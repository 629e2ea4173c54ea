using System.Text.Json;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Purr.Client;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.V1;
using Purr.Server.Admin;
using Purr.Server.Tests.Messaging;
using Purr.TestKit;

namespace Purr.Server.Tests;

/// <summary>The operator's emergency broadcast: signed by the server key, to everyone connected and to latecomers while it lasts.</summary>
public sealed class BroadcastTests
{
    [Fact]
    public async Task Connected_clients_and_latecomers_within_its_lifetime_get_it_and_later_ones_do_not()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await RunningServer.StartAsync(time: time);
        await using var early = await server.ConnectAsync();

        // The server counts a connection once its hello is handled, which ends just after HelloAccepted is queued;
        // a ping's answer proves that handling is over (one connection's requests are handled in order).
        await early.PingAsync();
        var broadcasts = server.Services.GetRequiredService<Broadcasts>();
        Assert.Equal(1, broadcasts.Send("maintenance tonight at 22:00", TimeSpan.FromHours(1)));
        var received = await early.NextAsync<ServerBroadcastReceived>();
        Assert.Equal("maintenance tonight at 22:00", received.Text);

        await using var late = await server.ConnectAsync();
        Assert.Equal(received.Id, (await late.NextAsync<ServerBroadcastReceived>()).Id);

        time.Advance(TimeSpan.FromHours(2));
        await using var after = await server.ConnectAsync();
        await after.PingAsync();
        await after.AssertQuietAsync(TimeSpan.FromMilliseconds(300));
        Assert.Throws<ArgumentException>(() => broadcasts.Send(new string('x', Broadcasts.MaxTextBytes + 1), TimeSpan.FromHours(1)));
        Assert.Throws<ArgumentException>(() => broadcasts.Send("too long", TimeSpan.FromDays(8)));
    }

    [Fact]
    public void A_forged_altered_or_expired_broadcast_is_ignored()
    {
        using var server = Ed25519KeyPair.Generate();
        using var impostor = Ed25519KeyPair.Generate();
        var now = DateTimeOffset.UtcNow;
        var body = new BroadcastBody
        {
            BroadcastId = ByteString.CopyFrom(new byte[16]), Text = "send your keys to…", SentAt = now.ToUnixTimeSeconds(), ExpiresAt = now.AddHours(1).ToUnixTimeSeconds(),
        }.ToByteArray();
        ServerBroadcast Signed(Ed25519KeyPair key, byte[] bytes) =>
            new() { Body = ByteString.CopyFrom(bytes), Signature = ByteString.CopyFrom(key.Sign(SignedBytes.ServerBroadcast(bytes))) };

        Assert.NotNull(ServerBroadcastCheck.Open(Signed(server, body), server.PublicKey, now));
        Assert.Null(ServerBroadcastCheck.Open(Signed(impostor, body), server.PublicKey, now));
        var altered = Signed(server, body);
        altered.Body = ByteString.CopyFrom([.. body[..^1], (byte)(body[^1] ^ 1)]);
        Assert.Null(ServerBroadcastCheck.Open(altered, server.PublicKey, now));
        Assert.Null(ServerBroadcastCheck.Open(new ServerBroadcast { Body = ByteString.CopyFrom(body) }, server.PublicKey, now));
        Assert.Null(ServerBroadcastCheck.Open(Signed(server, body), server.PublicKey, now.AddHours(2)));
    }

    [Fact]
    public async Task Purrctl_broadcast_reaches_the_cli_once_and_prominently()
    {
        using var data = new TemporaryDirectory();
        using var purrd = await PurrdProcess.StartAsync(data.Path);
        using var home = new TemporaryDirectory();
        var alice = Path.Combine(home.Path, "alice");
        await PurrTool.RunAsync(0, "--profile", alice, "init", "--server", purrd.Address.ToString());

        var purrctl = Path.Combine(AppContext.BaseDirectory, "purrctl.dll");
        var (exit, output) = await ProcessRun.RunAsync("dotnet", [purrctl, "--data", data.Path, "broadcast", "the server moves on Sunday", "--ttl", "2h"]);
        Assert.True(exit == 0, output);
        Assert.Contains("broadcast sent to 0 connection(s) now", output, StringComparison.Ordinal);
        Assert.Contains("the server moves on Sunday", await PurrTool.RunAsync(0, "--profile", alice, "receive"), StringComparison.Ordinal);
        var again = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", alice, "--json", "receive")).RootElement;
        Assert.Empty(again.EnumerateArray());
        Assert.Contains("'3x' is not a duration", (await ProcessRun.RunAsync("dotnet", [purrctl, "--data", data.Path, "broadcast", "x", "--ttl", "3x"])).Output, StringComparison.Ordinal);
    }
}
