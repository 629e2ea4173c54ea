using Purr.TestKit;

namespace Purr.Server.Tests.Messaging;

/// <summary>A purrd on SQLite that can be stopped and started again on the same port and data: a server restart.</summary>
internal sealed class RestartableServer : IAsyncDisposable
{
    private readonly TemporaryDirectory data = new();
    private RunningServer? server;
    private int port;

    public string Address { get; private set; } = "";

    public static async Task<RestartableServer> StartAsync()
    {
        var restartable = new RestartableServer();
        await restartable.StartAgainAsync();
        return restartable;
    }

    public async Task StopAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
            server = null;
        }
    }

    /// <summary>Starts (again) on the first start's port, with the same key and stored mailboxes.</summary>
    public async Task StartAgainAsync()
    {
        var settings = port == 0 ? null : new Dictionary<string, string> { ["urls"] = $"http://127.0.0.1:{port}" };
        server = await RunningServer.StartAsync("sqlite", data.Path, settings: settings);
        port = server.Address.Port;
        Address = server.Address.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        data.Dispose();
    }
}
