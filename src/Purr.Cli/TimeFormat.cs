using System.Globalization;

namespace Purr.Cli;

/// <summary>Times as people read them: unambiguous dates (2026-12-07), local clock times.</summary>
internal static class TimeFormat
{
    public static string Date(DateTimeOffset when) => when.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    public static string Clock(DateTimeOffset when) => when.ToLocalTime().ToString("HH:mm", CultureInfo.InvariantCulture);
}
