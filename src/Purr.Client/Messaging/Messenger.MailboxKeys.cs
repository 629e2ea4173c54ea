using Purr.Client.Profiles;
using Purr.Crypto;
using Purr.Protocol.V1;

namespace Purr.Client.Messaging;

/// <summary>
/// Mailbox keys (PROTOCOL.md 4): each of the profile's mailboxes gets its server's key once, with its first subscribe or
/// fetch, and keeps it in the profile; from then on its requests carry a keyed hash instead of a signature, which spares
/// the server a signature verification per mailbox on every reconnection.
/// </summary>
public sealed partial class Messenger
{
    /// <summary>The stored mailbox key of a receive id, for <see cref="PurrConnectionOptions.MailboxKeys"/>; null when none.</summary>
    /// <remarks>
    /// Room sessions make requests on the messenger's connections from their own tasks, while the messenger may be changing
    /// its lists: a lookup that meets a change answers "none", and that request is signed instead.
    /// </remarks>
    private byte[]? MailboxKeyOf(byte[] receiveId)
    {
        try
        {
            foreach (var (mailbox, _) in AllMailboxes())
            {
                if (mailbox.MailboxKey is not null && mailbox.ReceiveId.AsSpan().SequenceEqual(receiveId))
                {
                    return mailbox.MailboxKey;
                }
            }
        }
        catch (InvalidOperationException)
        {
            // A list changed while it was read (see remarks).
        }

        return null;
    }

    /// <summary>
    /// Drops a key the server refused (the request went on signed): the next subscribe or fetch asks for it again, so a
    /// damaged key is mended and a server without mailbox keys is not sent one on every request. Saved with the profile's
    /// next save.
    /// </summary>
    private void ForgetMailboxKey(byte[] receiveId)
    {
        try
        {
            foreach (var (mailbox, _) in AllMailboxes())
            {
                if (mailbox.ReceiveId.AsSpan().SequenceEqual(receiveId))
                {
                    mailbox.MailboxKey = null;
                }
            }
        }
        catch (InvalidOperationException)
        {
            // A list changed while it was read (see MailboxKeyOf): the key stays, and is refused and dropped next time.
        }
    }

    /// <summary>
    /// Fetches and keeps the mailbox's key when the profile has none yet; true when it got one (the caller saves the
    /// profile). A server without mailbox keys, or a mailbox that is gone, leaves it without one: signatures still work.
    /// </summary>
    private static async Task<bool> FetchMailboxKeyAsync(
        PurrConnection connection, MailboxRecordData mailbox, Ed25519KeyPair recipientKey, CancellationToken cancellationToken)
    {
        if (mailbox.MailboxKey is not null)
        {
            return false;
        }

        try
        {
            mailbox.MailboxKey = (await connection.GetMailboxKeyAsync(mailbox.ReceiveId, recipientKey, cancellationToken)).Key;
            return true;
        }
        catch (PurrProtocolException e) when (e.Code is ErrorCode.UnknownRequest or ErrorCode.Auth)
        {
            return false;
        }
    }
}
