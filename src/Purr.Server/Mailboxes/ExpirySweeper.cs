using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Purr.Core.Mailboxes;
using Purr.Server.Logging;

namespace Purr.Server.Mailboxes;

/// <summary>
/// Deletes expired messages on a timer from the injected TimeProvider, so tests move time instead of
/// sleeping. Reads already skip expired messages; the sweep is what actually erases them.
/// </summary>
internal sealed class ExpirySweeper(
    IMailboxStore store, LiveDelivery delivery, IOptions<MailboxOptions> options, TimeProvider time, ILogger<ExpirySweeper> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await SweepOnceAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    internal async Task SweepOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            var deleted = await store.DeleteExpiredAsync(time.GetUtcNow(), cancellationToken);
            ServerLog.SweepCompleted(logger, deleted);
            if (deleted > 0)
            {
                await delivery.RefreshInFlightAsync(cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ServerLog.SweepFailed(logger, e.GetType().Name);
        }
    }
}
