using System.Collections.Concurrent;
using Purr.Core.Mailboxes;

namespace Purr.Server.Tests;

/// <summary>A store that counts every call by operation ("EnqueueAsync", …) and passes it on: what one delivered message costs.</summary>
internal sealed class CountingMailboxStore(IMailboxStore inner) : MailboxStoreDecorator(inner)
{
    private readonly ConcurrentDictionary<string, int> calls = new();

    public IReadOnlyDictionary<string, int> Calls => calls;

    public int Total => calls.Values.Sum();

    public void Reset() => calls.Clear();

    protected override ValueTask<T> AroundAsync<TState, T>(TState state, Func<TState, ValueTask<T>> call, string operation)
    {
        calls.AddOrUpdate(operation + "Async", 1, (_, n) => n + 1);
        return call(state);
    }
}
