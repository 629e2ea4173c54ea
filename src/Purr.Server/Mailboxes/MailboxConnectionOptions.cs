using System.ComponentModel.DataAnnotations;

namespace Purr.Server.Mailboxes;

/// <summary>
/// The mailbox module's per-connection limit. It is bound from the "Limits" section, where operators have
/// always set it (Limits:MaxSubscriptionsPerConnection), though only this module reads it.
/// </summary>
public sealed class MailboxConnectionOptions
{
    /// <summary>Mailbox subscriptions one connection may hold; more get TOO_MANY_SUBSCRIPTIONS.</summary>
    [Range(1, 1_000_000)]
    public int MaxSubscriptionsPerConnection { get; set; } = 4096;
}
