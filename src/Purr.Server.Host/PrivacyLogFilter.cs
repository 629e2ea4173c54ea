namespace Purr.Server.Host;

/// <summary>
/// Framework components log request URLs, connection details and sometimes client addresses at
/// Information and below. Unless the operator turns Debug:UnsafeLogging on, everything outside
/// Purr's own categories is held at Warning and above, whatever the log levels say.
/// </summary>
internal static class PrivacyLogFilter
{
    public static void Apply(ILoggingBuilder logging, bool unsafeLogging)
    {
        if (unsafeLogging)
        {
            return;
        }

        logging.AddFilter((_, category, level) =>
            level >= LogLevel.Warning || (category ?? "").StartsWith("Purr.", StringComparison.Ordinal));
    }
}
