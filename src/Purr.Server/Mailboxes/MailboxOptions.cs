using Purr.Server.Modules;
using System.ComponentModel.DataAnnotations;

namespace Purr.Server.Mailboxes;

/// <summary>Mailbox limits, bound from the "Mailboxes" configuration section.</summary>
public sealed class MailboxOptions : IValidatableObject
{
    public const string Section = "Mailboxes";

    /// <summary>Lifetime of a stored message when the creator asks for none: 7 days.</summary>
    [Range(0, int.MaxValue)]
    public int DefaultLifetimeSeconds { get; set; } = 7 * 24 * 3600;

    /// <summary>The longest lifetime a creator may ask for; longer requests are lowered to it. 30 days.</summary>
    [Range(0, int.MaxValue)]
    public int MaxLifetimeSeconds { get; set; } = 30 * 24 * 3600;

    /// <summary>Sends one mailbox accepts per minute (bursts of the same), whoever sends; beyond it RATE_LIMITED with retry-after.</summary>
    [Range(1, 1_000_000)]
    public int SendsPerMinutePerMailbox { get; set; } = 600;

    /// <summary>Messages one mailbox holds at once; a send beyond it gets QUOTA_EXCEEDED.</summary>
    [Range(1, 1_000_000)]
    public int Quota { get; set; } = 128;

    /// <summary>Largest payload of one message; larger sends get MESSAGE_TOO_LARGE.</summary>
    [Range(1, 16 * 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>Block tags one mailbox's block list holds (keyed hashes); beyond it the oldest go.</summary>
    [Range(1, 100_000)]
    public int MaxBlockedTags { get; set; } = 1000;

    /// <summary>How often expired messages are deleted.</summary>
    [TimeSpanRange("00:00:01", "1.00:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DefaultLifetimeSeconds > MaxLifetimeSeconds)
        {
            yield return new ValidationResult("DefaultLifetimeSeconds must not exceed MaxLifetimeSeconds");
        }
    }
}
