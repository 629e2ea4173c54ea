namespace Purr.Client;

/// <summary>A created mailbox: keep <paramref name="ReceiveId"/> private; give <paramref name="SendId"/> to senders.</summary>
public sealed record MailboxInfo(byte[] ReceiveId, byte[] SendId, uint LifetimeSeconds, uint Quota);

/// <summary>A message returned by Fetch.</summary>
public sealed record FetchedMessage(byte[] MessageId, byte[] Payload, DateTimeOffset ReceivedAt);
