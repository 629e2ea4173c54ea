using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Purr.Client;
using Purr.Protocol;
using Purr.Server.Host;
using Purr.TestKit;

namespace Purr.Server.Tests;

/// <summary>The real purrd application on Kestrel, bound to 127.0.0.1 (or another loopback address) on a free port.</summary>
internal sealed class RunningServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly TemporaryDirectory? ownedDirectory;

    private RunningServer(WebApplication app, TemporaryDirectory? ownedDirectory)
    {
        this.app = app;
        this.ownedDirectory = ownedDirectory;
        Address = PurrHost.Address(app);
    }

    public PurrAddress Address { get; }

    public IServiceProvider Services => app.Services;

    public Uri HttpBase => new($"http://{Address.Host}:{Address.Port}");

    public Uri WebSocketUri => new($"ws://{Address.Host}:{Address.Port}/v1/ws");

    public static async Task<RunningServer> StartAsync(
        string storage = "memory",
        string? dataDirectory = null,
        TimeProvider? time = null,
        IReadOnlyDictionary<string, string>? settings = null,
        ILoggerProvider? logs = null,
        Func<Core.Mailboxes.IMailboxStore, Core.Mailboxes.IMailboxStore>? decorateStore = null,
        string host = "127.0.0.1")
    {
        var owned = dataDirectory is null ? new TemporaryDirectory() : null;
        var args = new List<string>
        {
            "--urls", $"http://{host}:0",
            "--storage", storage,
            "--data", dataDirectory ?? owned!.Path,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            args.Add($"--{key}={value}");
        }

        var app = await PurrHost.BuildAsync([.. args], builder =>
        {
            if (time is not null)
            {
                builder.Services.AddSingleton(time);
            }

            if (logs is not null)
            {
                builder.Logging.AddProvider(logs);
            }

            if (decorateStore is not null)
            {
                var original = builder.Services.Last(d => d.ServiceType == typeof(Core.Mailboxes.IMailboxStore));
                builder.Services.Remove(original);
                builder.Services.AddSingleton(sp => decorateStore((Core.Mailboxes.IMailboxStore)original.ImplementationFactory!(sp)));
            }
        });
        await app.StartAsync();
        // The admin socket appears just after the start (once purrd listens): tests that run purrctl wait for it here.
        if (app.Services.GetService<Microsoft.Extensions.Options.IOptions<Admin.AdminOptions>>()?.Value.Socket is { } socket
            && app.Services.GetRequiredService<Modules.EnabledModules>().Names.Contains("admin"))
        {
            for (var waited = 0; !File.Exists(socket) && waited < 200; waited++)
            {
                await Task.Delay(25);
            }
        }

        return new RunningServer(app, owned);
    }

    public Task<PurrConnection> ConnectAsync(PurrConnectionOptions? options = null) => PurrConnection.ConnectAsync(Address, options);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        ownedDirectory?.Dispose();
    }
}
