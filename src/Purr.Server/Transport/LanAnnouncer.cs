using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Purr.Protocol.Lan;
using Purr.Server.Identity;
using Purr.Server.Logging;

namespace Purr.Server.Transport;

/// <summary>
/// With <c>Lan:Announce</c>, announces the server as <c>_purr._tcp.local</c> once Kestrel listens (the port is
/// known then), for as long as it runs, and says goodbye at shutdown. The TXT record carries the server's address
/// with the host set to the address of the interface each question came in on.
/// </summary>
internal sealed class LanAnnouncer(
    IOptions<LanOptions> options,
    IServer server,
    IHostApplicationLifetime lifetime,
    ServerIdentity identity,
    AdvertisedTransports transports,
    ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    private MdnsResponder? responder;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Announce)
        {
            lifetime.ApplicationStarted.Register(Start);
        }

        return Task.CompletedTask;
    }

    /// <summary>Says goodbye on the network (TTL 0 records) and stops answering.</summary>
    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref responder, null) is { } running)
        {
            await running.DisposeAsync();
        }
    }

    private void Start()
    {
        var logger = loggers.CreateLogger("Purr.Server.Transport");
        var url = server.Features.Get<IServerAddressesFeature>()?.Addresses
            .FirstOrDefault(a => a.StartsWith("http://", StringComparison.Ordinal) && !a.Contains("unix:", StringComparison.Ordinal));
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            ServerLog.LanState(logger, "not announced: purrd listens on no plain TCP port");
            return;
        }

        var name = options.Value.Name.Length != 0 ? options.Value.Name : "purr-" + identity.Fingerprint[..8];
        try
        {
            var interfaces = PurrServiceDiscovery.Interfaces(options.Value.Interfaces);
            responder = new MdnsResponder(name, (ushort)uri.Port, interfaces, ip => transports.Address(identity.IdentityKey, ip.ToString(), uri.Port));
            responder.Start();
            ServerLog.LanState(logger, $"announced on {interfaces.Count} interface(s) as {name}");
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or ArgumentException)
        {
            ServerLog.LanState(logger, "not announced: " + e.GetType().Name);
        }
    }
}
