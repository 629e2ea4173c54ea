using Purr.Protocol.V1;

namespace Purr.Server.Routing;

/// <summary>Builders for the response bodies handlers return. Error details never carry user data.</summary>
public static class Responses
{
    public static ServerFrame Error(ErrorCode code, string detail) => new() { Error = new Error { Code = code, Detail = detail } };

    public static ServerFrame Ok() => new() { Ok = new Ok() };

    /// <summary>One answer for "no such mailbox" and "wrong signature", so neither can be probed.</summary>
    public static ServerFrame Auth() => Error(ErrorCode.Auth, "unknown mailbox or bad signature");

    public static ServerFrame InvalidArgument(string detail) => Error(ErrorCode.InvalidArgument, detail);

    /// <summary>RATE_LIMITED with when to come back (rounded up to whole milliseconds, at least 1).</summary>
    public static ServerFrame RateLimited(string detail, TimeSpan retryAfter) => RetryLater(ErrorCode.RateLimited, detail, retryAfter);

    /// <summary>UNAVAILABLE (the store cannot be reached) with when to come back.</summary>
    public static ServerFrame Unavailable(string detail, TimeSpan retryAfter) => RetryLater(ErrorCode.Unavailable, detail, retryAfter);

    private static ServerFrame RetryLater(ErrorCode code, string detail, TimeSpan retryAfter) => new()
    {
        Error = new Error { Code = code, Detail = detail, RetryAfterMs = (uint)Math.Clamp(Math.Ceiling(retryAfter.TotalMilliseconds), 1, uint.MaxValue) },
    };
}
