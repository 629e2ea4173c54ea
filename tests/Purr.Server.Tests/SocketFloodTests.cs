using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Purr.Client;
using Purr.Server.Transport;
using Purr.TestKit;

namespace Purr.Server.Tests;

/// <summary>
/// Silent TCP connections (never an HTTP request) are counted and capped at accept, per address and in
/// total, below the descriptor limit, and closed when they stay silent; a flood does not stop the server
/// serving others. Flooders connect from other loopback addresses (127.0.0.x) than the bystander.
/// </summary>
public sealed class SocketFloodTests
{
    [Fact]
    public async Task Silent_sockets_beyond_the_per_address_cap_are_closed_at_once_and_a_bystander_is_served()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Limits:MaxSocketsPerIp"] = "16",
            ["Limits:MaxConnectionsPerIp"] = "8",
            ["Limits:HttpIdleTimeout"] = "00:01:00",
        });
        var flood = await OpenSilentAsync(server, Enumerable.Repeat(IPAddress.Parse("127.0.0.2"), 200));
        try
        {
            // The bystander (127.0.0.1) gets a full session while the flood is held open.
            await using var client = await server.ConnectAsync();
            await client.PingAsync();

            var open = await CountStillOpenAsync(flood);
            Assert.InRange(open, 1, 16);
            Assert.True(server.Services.GetRequiredService<SocketAdmission>().Open <= 16 + 1);
        }
        finally
        {
            Close(flood);
        }
    }

    [Fact]
    public async Task Silent_sockets_are_closed_after_the_http_idle_timeout()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Limits:HttpIdleTimeout"] = "00:00:01",
        });
        var silent = await OpenSilentAsync(server, Enumerable.Repeat(IPAddress.Parse("127.0.0.3"), 5));
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (await CountStillOpenAsync(silent) > 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "silent connections were not closed");
                await Task.Delay(250);
            }
        }
        finally
        {
            Close(silent);
        }
    }

    [Fact]
    public async Task The_total_socket_cap_holds_across_many_addresses()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Limits:MaxSockets"] = "12",
            ["Limits:MaxConnections"] = "4",
            ["Limits:HttpIdleTimeout"] = "00:01:00",
        });
        var addresses = Enumerable.Range(10, 40).Select(i => IPAddress.Parse($"127.0.0.{i}"));
        var flood = await OpenSilentAsync(server, addresses);
        try
        {
            Assert.InRange(await CountStillOpenAsync(flood), 1, 12);
        }
        finally
        {
            Close(flood);
        }
    }

    [Fact]
    public void The_socket_cap_stays_below_the_descriptor_limit()
    {
        Assert.Equal(24_000, DescriptorLimit.SocketCap(24_000, null, 200));
        Assert.Equal(1024 - 200 - DescriptorLimit.Reserved, DescriptorLimit.SocketCap(24_000, 1024, 200));
        Assert.Equal(500, DescriptorLimit.SocketCap(500, 1_048_576, 200));
        Assert.Equal(1, DescriptorLimit.SocketCap(500, 300, 200));
        if (OperatingSystem.IsLinux())
        {
            Assert.True(DescriptorLimit.Read() > 0);
            Assert.True(DescriptorLimit.OpenNow() > 3);
        }
    }

    [Fact]
    public async Task A_real_purrd_at_ulimit_512_survives_a_flood_of_a_thousand_silent_sockets()
    {
        using var data = new TemporaryDirectory();
        using var purrd = await PurrdProcess.StartAsync(data.Path, descriptorLimit: 512, "--storage", "sqlite", "--Limits:HttpIdleTimeout=00:01:00");
        var target = new IPEndPoint(IPAddress.Loopback, purrd.Address.Port);
        var addresses = Enumerable.Range(0, 1000).Select(i => IPAddress.Parse($"127.0.{1 + (i / 200)}.{2 + (i % 200)}"));
        var flood = await OpenSilentAsync(target, addresses);
        try
        {
            // Twice the descriptor limit arrived: the server kept within its cap and is still running.
            Assert.InRange(await CountStillOpenAsync(flood), 1, 512 - DescriptorLimit.Reserved);
            Assert.False(purrd.HasExited, await OutputIfExitedAsync(purrd));
        }
        finally
        {
            Close(flood);
        }

        // The flood gone (once the server has seen the closes), everything works: accept, the store's files, a stored message.
        await using var client = await ConnectWhenServedAsync(purrd.Address);
        using var key = Crypto.Ed25519KeyPair.Generate();
        var mailbox = await client.CreateMailboxAsync(key);
        await client.SendAsync(mailbox.SendId, "still serving"u8.ToArray());
        Assert.Equal("still serving"u8.ToArray(), (await client.FetchAsync(mailbox.ReceiveId, key))!.Payload);
    }

    private static async Task<PurrConnection> ConnectWhenServedAsync(Protocol.PurrAddress address)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                return await PurrConnection.ConnectAsync(address);
            }
            catch (PurrConnectionException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    private static async Task<string> OutputIfExitedAsync(PurrdProcess purrd) => purrd.HasExited ? await purrd.OutputAsync() : "";

    private static Task<List<Socket>> OpenSilentAsync(RunningServer server, IEnumerable<IPAddress> from) =>
        OpenSilentAsync(new IPEndPoint(IPAddress.Loopback, server.Address.Port), from);

    /// <summary>Opens the sockets all at once, as a flood does, and keeps those that connected.</summary>
    private static async Task<List<Socket>> OpenSilentAsync(IPEndPoint target, IEnumerable<IPAddress> from)
    {
        var attempts = from.Select(async address =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(address, 0));
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await socket.ConnectAsync(target, timeout.Token);
                return socket;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                socket.Dispose();
                return null;
            }
        }).ToList();
        return [.. (await Task.WhenAll(attempts)).OfType<Socket>()];
    }

    /// <summary>A socket the server closed reads end-of-stream (or a reset); one it keeps open has nothing to read.</summary>
    private static async Task<int> CountStillOpenAsync(List<Socket> sockets)
    {
        // Give the server a moment to close what it refused.
        await Task.Delay(500);
        var open = 0;
        var buffer = new byte[16];
        foreach (var socket in sockets)
        {
            try
            {
                if (!socket.Poll(0, SelectMode.SelectRead))
                {
                    open++;
                    continue;
                }

                if (socket.Available > 0 || socket.Receive(buffer) > 0)
                {
                    open++;
                }
            }
            catch (SocketException)
            {
                // Reset: closed by the server.
            }
        }

        return open;
    }

    private static void Close(List<Socket> sockets)
    {
        foreach (var socket in sockets)
        {
            socket.Dispose();
        }
    }
}
