namespace Purr.Server.Host;

internal static partial class HostLog
{
    [LoggerMessage(1, LogLevel.Information, "purrd started: storage {Storage}, modules {Modules}")]
    internal static partial void Started(ILogger logger, string storage, string modules);

    [LoggerMessage(3, LogLevel.Information, "Accepting at most {Sockets} sockets (descriptor limit {DescriptorLimit})")]
    internal static partial void SocketLimit(ILogger logger, int sockets, string descriptorLimit);

    [LoggerMessage(4, LogLevel.Information, "purrd stopping: closing client connections (SIGTERM or Ctrl-C); stored messages are kept")]
    internal static partial void Stopping(ILogger logger);

    [LoggerMessage(5, LogLevel.Information, "purrd stopped")]
    internal static partial void Stopped(ILogger logger);

    [LoggerMessage(2, LogLevel.Warning,
        "UNSAFE LOGGING IS ON: framework logs may now contain IP addresses and request details. Turn Debug:UnsafeLogging off in production.")]
    internal static partial void UnsafeLoggingEnabled(ILogger logger);
}
