using System.Globalization;

namespace Purr.Ctl;

/// <summary>Durations as operators type them: 90s, 30m, 24h, 2d.</summary>
internal static class Duration
{
    public static TimeSpan Parse(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length >= 2 && double.TryParse(trimmed[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount > 0)
        {
            switch (trimmed[^1])
            {
                case 's': return TimeSpan.FromSeconds(amount);
                case 'm': return TimeSpan.FromMinutes(amount);
                case 'h': return TimeSpan.FromHours(amount);
                case 'd': return TimeSpan.FromDays(amount);
            }
        }

        throw new CtlException($"'{text}' is not a duration: write it like 90s, 30m, 24h or 2d");
    }
}
