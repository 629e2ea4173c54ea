using Purr.Protocol.V1;

namespace Purr.Client;

/// <summary>Base of every error the client library reports; the message is meant for the user.</summary>
public class PurrClientException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The server could not be reached, or the connection was lost.</summary>
public sealed class PurrConnectionException(string message, Exception? inner = null) : PurrClientException(message, inner);

/// <summary>The server did not prove it holds the identity key pinned in the purr:// address. Nothing was sent.</summary>
public sealed class PurrServerKeyMismatchException(string message) : PurrClientException(message);

/// <summary>The server refused a request with a protocol error code.</summary>
public sealed class PurrProtocolException(ErrorCode code, string detail, TimeSpan retryAfter = default)
    : PurrClientException(retryAfter > TimeSpan.Zero
        ? $"server refused the request: {code} ({detail}; try again in {Math.Ceiling(retryAfter.TotalSeconds)} s)"
        : $"server refused the request: {code} ({detail})")
{
    public ErrorCode Code { get; } = code;

    public string Detail { get; } = detail;

    /// <summary>For RATE_LIMITED: when the same request would be accepted (zero when the server did not say).</summary>
    public TimeSpan RetryAfter { get; } = retryAfter;
}
