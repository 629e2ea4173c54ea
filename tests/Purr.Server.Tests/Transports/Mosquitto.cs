using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Purr.TestKit;

namespace Purr.Server.Tests.Transports;

/// <summary>A real mosquitto broker (Debian's, installed by scripts/install-test-deps.sh) on a free loopback port.</summary>
internal sealed class Mosquitto : IAsyncDisposable
{
    public const string Binary = "/usr/sbin/mosquitto";

    private readonly Process process;
    private readonly TemporaryDirectory directory;

    private Mosquitto(Process process, TemporaryDirectory directory, int port)
    {
        this.process = process;
        this.directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Starts a broker on <paramref name="port"/>, or on a free port, listening on <paramref name="host"/>.</summary>
    public static async Task<Mosquitto> StartAsync(int? port = null, string host = "127.0.0.1")
    {
        Assert.True(File.Exists(Binary), "mosquitto is missing: run scripts/install-test-deps.sh as root");
        var directory = new TemporaryDirectory();
        var listenPort = port ?? FreePorts.Next();
        var config = Path.Combine(directory.Path, "mosquitto.conf");
        await File.WriteAllTextAsync(config, $"listener {listenPort} {host}\nallow_anonymous true\npersistence false\nlog_dest none\n");
        var process = Process.Start(new ProcessStartInfo(Binary, ["-c", config])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        var broker = new Mosquitto(process, directory, listenPort);
        for (var waited = 0; ; waited++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Parse(host), listenPort);
                return broker;
            }
            catch (SocketException) when (waited < 100 && !process.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        process.Dispose();
        directory.Dispose();
    }
}
