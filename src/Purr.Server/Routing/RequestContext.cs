using Google.Protobuf;
using Purr.Protocol.V1;
using Purr.Server.Sessions;

namespace Purr.Server.Routing;

/// <summary>One request as received: the parsed request, the exact bytes that were signed, and the session.</summary>
public sealed class RequestContext(
    Request request,
    ByteString requestBytes,
    ByteString signature,
    IClientSession session,
    ByteString? mailboxSignature = null,
    ByteString? mailboxMac = null)
{
    // Most requests have one action or none: the first is kept without a list.
    private Func<ValueTask>? firstAfterResponse;
    private List<Func<ValueTask>>? moreAfterResponse;

    public Request Request { get; } = request;

    /// <summary>
    /// ClientFrame.request exactly as received: the signed bytes. For a request handled in turn these are the received
    /// frame's own buffer, valid while the request is being handled (its after-response actions included) and reused after:
    /// check signatures with them, never keep them.
    /// </summary>
    public ByteString RequestBytes { get; } = requestBytes;

    public ByteString Signature { get; } = signature;

    /// <summary>ClientFrame.mailbox_signature: a mailbox's recipient key over the same bytes (CreateRoom, JoinRoom).</summary>
    public ByteString MailboxSignature { get; } = mailboxSignature ?? ByteString.Empty;

    /// <summary>ClientFrame.mailbox_mac: the recipient's mailbox key over the request, in place of its signature (direct connections only).</summary>
    public ByteString MailboxMac { get; } = mailboxMac ?? ByteString.Empty;

    public IClientSession Session { get; } = session;

    /// <summary>Runs <paramref name="action"/> once the response is queued, so pushes it causes follow the response.</summary>
    public void AfterResponse(Func<ValueTask> action)
    {
        if (firstAfterResponse is null)
        {
            firstAfterResponse = action;
        }
        else
        {
            (moreAfterResponse ??= []).Add(action);
        }
    }

    internal async ValueTask RunAfterResponseAsync()
    {
        if (firstAfterResponse is null)
        {
            return;
        }

        await firstAfterResponse();
        if (moreAfterResponse is null)
        {
            return;
        }

        foreach (var action in moreAfterResponse)
        {
            await action();
        }
    }
}
