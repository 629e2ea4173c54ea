using Microsoft.Extensions.Options;
using Purr.Protocol.V1;
using Purr.Server.Routing;

namespace Purr.Server.Rooms.Handlers;

/// <summary>Replaces the room's settings (topic, lock, limit, moderation, listing) and may empty the ban list. Owner or moderator, or anyone in a flat room.</summary>
internal sealed class RoomConfigureHandler(RoomRegistry registry, RoomFanOut fanOut, IOptions<RoomOptions> options) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.RoomConfigure;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.Request.RoomConfigure;
        return await RoomChanges.RetryAsync(() => AttemptAsync(request, context, cancellationToken));
    }

    private async ValueTask<ServerFrame?> AttemptAsync(RoomConfigure request, RequestContext context, CancellationToken cancellationToken)
    {
        await using var lease = await RoomLease.AcquireAsync(registry, request.RoomId, request.MemberKey, context, cancellationToken);
        if (lease is null)
        {
            return Responses.Auth();
        }

        if (!RoomRules.May(lease.State, lease.Member, RoomAction.Configure))
        {
            return Responses.Error(ErrorCode.Forbidden, "only the owner or a moderator may change the room");
        }

        var settings = request.Settings.FromWire();
        if (RoomFieldLimits.Check(settings, lease.State.Persistent, options.Value) is { } invalid)
        {
            return Responses.InvalidArgument(invalid);
        }

        // Flat mode is the owner's choice alone.
        if (settings.Flat != lease.State.Settings.Flat && !RoomRules.May(lease.State, lease.Member, RoomAction.SwitchFlat))
        {
            return Responses.Error(ErrorCode.Forbidden, "only the owner may switch flat mode");
        }

        lease.State.Settings = settings;
        if (request.ClearBans)
        {
            lease.State.Bans.Clear();
        }
        if (!await lease.CommitAsync(cancellationToken))
        {
            return null;
        }

        await fanOut.PublishAsync(lease.State, lease.Live, new RoomEvent { Configured = settings.ToWire() }, lease.State.Members);
        return Responses.Ok();
    }
}
