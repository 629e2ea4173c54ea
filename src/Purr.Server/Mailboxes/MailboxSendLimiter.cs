using Microsoft.Extensions.Options;
using Purr.Core.Ids;
using Purr.Server.Transport;

namespace Purr.Server.Mailboxes;

/// <summary>Sends per mailbox per minute (Mailboxes:SendsPerMinutePerMailbox): no sender, however many connections, floods one inbox.</summary>
internal sealed class MailboxSendLimiter(IOptions<MailboxOptions> options, TimeProvider time)
{
    private readonly KeyedRateLimiter<OpaqueId> limiter = new(options.Value.SendsPerMinutePerMailbox, time);

    public bool TryTake(OpaqueId receiveId, out TimeSpan retryAfter) => limiter.TryTake(receiveId, out retryAfter);
}
