using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Purr.Server.Rooms;

/// <summary>Ends transient rooms whose last member left more than the grace ago; driven by the injected clock.</summary>
internal sealed class RoomJanitor(RoomRegistry registry, IOptions<RoomOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.JanitorInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                registry.RemoveIdle(options.Value.TransientGrace);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
