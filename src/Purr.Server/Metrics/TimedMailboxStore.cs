using System.Diagnostics;
using Purr.Core.Mailboxes;

namespace Purr.Server.Metrics;

/// <summary>The mailbox store with each call's duration observed (purr_store_operation_duration_seconds{operation}).</summary>
public sealed class TimedMailboxStore(IMailboxStore inner, ServerMetrics metrics) : MailboxStoreDecorator(inner)
{
    protected override async ValueTask<T> AroundAsync<TState, T>(TState state, Func<TState, ValueTask<T>> call, string operation)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await call(state);
        }
        finally
        {
            metrics.StoreCall(operation, Stopwatch.GetElapsedTime(started));
        }
    }
}
