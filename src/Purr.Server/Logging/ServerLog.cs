using Microsoft.Extensions.Logging;
using Purr.Protocol.V1;

namespace Purr.Server.Logging;

/// <summary>
/// Every log line the server writes. None takes an id, key, payload, address or exception message:
/// only counts, codes and type names, so no log level can reveal who talks to whom.
/// </summary>
internal static partial class ServerLog
{
    [LoggerMessage(2, LogLevel.Debug, "Connection opened ({Open} open)")]
    internal static partial void ConnectionOpened(ILogger logger, int open);

    [LoggerMessage(3, LogLevel.Debug, "Connection closed: {Reason}")]
    internal static partial void ConnectionClosed(ILogger logger, string reason);

    [LoggerMessage(4, LogLevel.Debug, "Request refused with {Code}")]
    internal static partial void RequestRefused(ILogger logger, ErrorCode code);

    [LoggerMessage(5, LogLevel.Information, "Connection refused: {Reason}")]
    internal static partial void ConnectionRefused(ILogger logger, string reason);

    [LoggerMessage(6, LogLevel.Error, "A request handler failed with {ExceptionType}; the connection was closed")]
    internal static partial void HandlerFailed(ILogger logger, string exceptionType);

    [LoggerMessage(30, LogLevel.Warning, "Store unavailable ({ExceptionType}); the request was answered UNAVAILABLE")]
    internal static partial void StoreUnavailable(ILogger logger, string exceptionType);

    [LoggerMessage(7, LogLevel.Debug, "Expiry sweep deleted {Count} messages")]
    internal static partial void SweepCompleted(ILogger logger, int count);

    [LoggerMessage(8, LogLevel.Error, "Expiry sweep failed with {ExceptionType}")]
    internal static partial void SweepFailed(ILogger logger, string exceptionType);

    [LoggerMessage(9, LogLevel.Information, "A connection that stopped reading was closed")]
    internal static partial void SlowConsumerClosed(ILogger logger);

    [LoggerMessage(10, LogLevel.Debug, "A raw connection sent nothing within the idle timeout and was closed")]
    internal static partial void ConnectionIdleClosed(ILogger logger);

    [LoggerMessage(11, LogLevel.Information, "MQTT transport: {State}")]
    internal static partial void MqttState(ILogger logger, string state);

    [LoggerMessage(12, LogLevel.Information, "LAN: {State}")]
    internal static partial void LanState(ILogger logger, string state);
}
