using Microsoft.Extensions.Options;
using Purr.Core.Rooms;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Rooms.Handlers;

/// <summary>
/// A room message, to everyone but the sender, or a whisper to one member only. The server checks the
/// sender's end-to-end signature too, so a forged message never reaches anyone.
/// </summary>
internal sealed class RoomSendHandler(RoomRegistry registry, RoomFanOut fanOut, IOptions<RoomOptions> limits) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.RoomSend;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.Request.RoomSend;
        await using var lease = await RoomLease.AcquireAsync(registry, request.RoomId, request.MemberKey, context, cancellationToken);
        if (lease is null)
        {
            return Responses.Auth();
        }

        if (request.Ciphertext.Length > limits.Value.MaxMessageBytes)
        {
            return Responses.Error(ErrorCode.MessageTooLarge, $"room messages are limited to {limits.Value.MaxMessageBytes} bytes");
        }

        if (!Ed25519.Verify(lease.Member.MemberKey, SignedBytes.RoomMessage(request.RoomId.Span, request.To.Span, request.Ciphertext.Span), request.Signature.Span))
        {
            return Responses.Auth();
        }

        if (!RoomRules.May(lease.State, lease.Member, RoomAction.Speak))
        {
            return Responses.Error(ErrorCode.Forbidden, "the room is moderated and you have no voice");
        }

        List<RoomMemberData> recipients;
        if (request.To.Length > 0)
        {
            var target = lease.State.Member(request.To.Span);
            if (target is null)
            {
                return Responses.InvalidArgument("the whisper's target is not a member");
            }

            recipients = [target];
        }
        else
        {
            recipients = [.. lease.State.Members.Where(m => m != lease.Member)];
        }

        var message = new RoomMessage { Sender = request.MemberKey, Ciphertext = request.Ciphertext, Signature = request.Signature, Whisper = request.To.Length > 0 };
        await fanOut.PublishAsync(lease.State, lease.Live, new RoomEvent { Message = message }, recipients);
        return Responses.Ok();
    }
}
