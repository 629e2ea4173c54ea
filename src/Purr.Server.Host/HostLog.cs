namespace Purr.Server.Host;

internal static partial class HostLog
{
    [LoggerMessage(1, LogLevel.Information, "purrd started: storage {Storage}, modules {Modules}")]
    internal static partial void Started(ILogger logger, string storage, string modules);

    [LoggerMessage(2, LogLevel.Warning,
        "UNSAFE LOGGING IS ON: framework logs may now contain IP addresses and request details. Turn Debug:UnsafeLogging off in production.")]
    internal static partial void UnsafeLoggingEnabled(ILogger logger);
}
