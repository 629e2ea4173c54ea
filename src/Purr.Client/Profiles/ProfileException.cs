namespace Purr.Client.Profiles;

/// <summary>The profile cannot be opened or saved; the message says why in plain words.</summary>
public sealed class ProfileException(string message, Exception? inner = null) : PurrClientException(message, inner);
