using Purr.Core.Rooms;
using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Rooms.Handlers;

/// <summary>The owner makes moderators and members; moderators give or take voice from members.</summary>
internal sealed class RoomSetRoleHandler(RoomRegistry registry, RoomFanOut fanOut) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.RoomSetRole;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.Request.RoomSetRole;
        return await RoomChanges.RetryAsync(() => AttemptAsync(request, context, cancellationToken));
    }

    private async ValueTask<ServerFrame?> AttemptAsync(RoomSetRole request, RequestContext context, CancellationToken cancellationToken)
    {
        await using var lease = await RoomLease.AcquireAsync(registry, request.RoomId, request.MemberKey, context, cancellationToken);
        if (lease is null)
        {
            return Responses.Auth();
        }

        var target = lease.State.Member(request.Target.Span);
        if (target is null || request.Role is not (RoomRole.Member or RoomRole.Moderator))
        {
            return Responses.InvalidArgument("the target must be a member and the role member or moderator");
        }

        var role = (RoomMemberRole)(int)request.Role;
        var action = role == target.Role ? RoomAction.SetVoice : RoomAction.SetRole;
        if (!RoomRules.May(lease.State, lease.Member, action, target))
        {
            return Responses.Error(ErrorCode.Forbidden, "you may not change this member's role");
        }

        target.Role = role;
        target.Voice = request.Voice || role == RoomMemberRole.Moderator;
        if (!await lease.CommitAsync(cancellationToken))
        {
            return null;
        }

        await fanOut.PublishAsync(lease.State, lease.Live, new RoomEvent { RoleChanged = target.ToWire() }, lease.State.Members);
        return Responses.Ok();
    }
}
