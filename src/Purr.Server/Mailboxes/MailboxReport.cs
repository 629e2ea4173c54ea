using Microsoft.Extensions.Options;
using Purr.Core.Mailboxes;
using Purr.Server.Modules;

namespace Purr.Server.Mailboxes;

/// <summary>The mailbox module's part of purrctl status and limits: totals from the store, never a mailbox.</summary>
internal sealed class MailboxReport(
    IMailboxStore store, TimeProvider time, IOptions<MailboxOptions> options, IOptions<MailboxConnectionOptions> connection) : IOperatorReport
{
    public string Section => "mailboxes";

    public async ValueTask<IReadOnlyDictionary<string, object>> StatusAsync(CancellationToken cancellationToken)
    {
        var totals = await store.TotalsAsync(time.GetUtcNow(), cancellationToken);
        return new Dictionary<string, object> { ["mailboxes"] = totals.Mailboxes, ["messagesWaiting"] = totals.Messages };
    }

    public IReadOnlyDictionary<string, object> Settings() => OptionValues.Of(options.Value, connection.Value);
}
