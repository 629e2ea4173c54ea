namespace Purr.Client.Messaging;

/// <summary>
/// Disappearing messages (PROTOCOL.md 10.5): a chat's timer, set by either side and adopted by the other, and the
/// expiry each text carries. Each side deletes a text that many seconds after it stored it (sent or received), so a
/// skewed clock on either side moves nothing.
/// </summary>
public static class DisappearingMessages
{
    /// <summary>The shortest timer: long enough to read a message that arrives while the chat is open.</summary>
    public const uint MinSeconds = 5;

    /// <summary>The longest timer: a year.</summary>
    public const uint MaxSeconds = 365 * 24 * 3600;

    /// <summary>0 stays off; anything else is held within the limits (a peer's out-of-range value is not an error).</summary>
    public static uint Normalize(uint seconds) => seconds == 0 ? 0 : Math.Clamp(seconds, MinSeconds, MaxSeconds);

    /// <summary>When a text stored at <paramref name="now"/> under this timer is deleted; null for a text that is kept.</summary>
    public static DateTimeOffset? ExpiryOf(DateTimeOffset now, uint seconds) => seconds == 0 ? null : now.AddSeconds(Normalize(seconds));

    /// <summary>"off", "30 seconds", "1 hour", "7 days": for people, not for parsing.</summary>
    public static string Describe(uint seconds) => seconds switch
    {
        0 => "off",
        _ when seconds % 86_400 == 0 => Plural(seconds / 86_400, "day"),
        _ when seconds % 3600 == 0 => Plural(seconds / 3600, "hour"),
        _ when seconds % 60 == 0 => Plural(seconds / 60, "minute"),
        _ => Plural(seconds, "second"),
    };

    private static string Plural(uint count, string unit) => count == 1 ? $"1 {unit}" : $"{count} {unit}s";
}
