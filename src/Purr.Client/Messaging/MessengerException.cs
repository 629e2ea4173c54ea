namespace Purr.Client.Messaging;

/// <summary>A messaging command that cannot be carried out (unknown contact, contact not ready, ...).</summary>
public sealed class MessengerException(string message) : PurrClientException(message);
