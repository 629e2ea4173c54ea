using Microsoft.Extensions.Logging;

namespace Purr.Server.Federation;

/// <summary>Federation's log lines: states and reasons only, never a peer's address or key, nor anything about a client.</summary>
internal static partial class FederationLog
{
    [LoggerMessage(40, LogLevel.Information, "Federation: a peer server's link was accepted")]
    internal static partial void LinkAccepted(ILogger logger);

    [LoggerMessage(41, LogLevel.Warning, "Federation: a peer server's link was refused: {Reason}")]
    internal static partial void LinkRefused(ILogger logger, string reason);

    [LoggerMessage(42, LogLevel.Information, "Federation: link to a peer server up ({Links} links)")]
    internal static partial void LinkUp(ILogger logger, int links);

    [LoggerMessage(43, LogLevel.Warning, "Federation: could not link to a peer server: {Reason}; next try in {Seconds} s")]
    internal static partial void LinkFailed(ILogger logger, string reason, double seconds);

    [LoggerMessage(44, LogLevel.Error, "Federation: a relayed request's handler failed with {ExceptionType}")]
    internal static partial void RelayedRequestFailed(ILogger logger, string exceptionType);
}
