using Microsoft.Extensions.Options;
using Purr.Protocol.V1;
using Purr.Server.Modules;

namespace Purr.Server.Mailboxes;

/// <summary>The mailbox module's part of the advertised limits.</summary>
internal sealed class MailboxLimits(IOptions<MailboxOptions> mailboxes, IOptions<MailboxConnectionOptions> connection) : ILimitsContributor
{
    public void Contribute(Limits limits)
    {
        limits.MaxMessageBytes = (uint)mailboxes.Value.MaxMessageBytes;
        limits.DefaultLifetimeSeconds = (uint)mailboxes.Value.DefaultLifetimeSeconds;
        limits.MaxLifetimeSeconds = (uint)mailboxes.Value.MaxLifetimeSeconds;
        limits.MailboxQuota = (uint)mailboxes.Value.Quota;
        limits.MaxSubscriptions = (uint)connection.Value.MaxSubscriptionsPerConnection;
    }
}
