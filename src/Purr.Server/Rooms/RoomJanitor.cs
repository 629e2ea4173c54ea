using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Purr.Server.Logging;
using Purr.Server.Sessions;

namespace Purr.Server.Rooms;

/// <summary>
/// Every round (driven by the injected clock): keeps alive the transient rooms with members connected here, and
/// lets go of rooms that ended or have no connections here (<see cref="RoomRegistry.SweepAsync"/>).
/// </summary>
internal sealed class RoomJanitor(RoomRegistry registry, IOptions<RoomOptions> options, TimeProvider time, ILogger<RoomJanitor> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.JanitorInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await registry.SweepAsync(options.Value.TransientGrace, options.Value.JanitorInterval, stoppingToken);
                    await registry.ConnectionsRoundAsync();
                }
                catch (Exception e) when (StoreUnavailable.Is(e))
                {
                    // The shared transient room store is away: the next round tries again (rooms last three rounds).
                    ServerLog.StoreUnavailable(logger, e.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
