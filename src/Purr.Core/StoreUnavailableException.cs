namespace Purr.Core;

/// <summary>
/// A shared store or backplane (Redis, for instance) cannot be reached now. Thrown by stores whose client library
/// has no database exception of its own, so the server answers UNAVAILABLE (retry later) rather than INTERNAL.
/// </summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
