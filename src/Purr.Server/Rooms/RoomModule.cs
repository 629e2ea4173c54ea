using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Purr.Server.Modules;
using Purr.Server.Rooms.Handlers;
using Purr.Server.Routing;
using Purr.Server.Sessions;

namespace Purr.Server.Rooms;

/// <summary>Rooms: transient and persistent fan-out channels with server-enforced membership. Needs the mailboxes module.</summary>
public sealed class RoomModule : IPurrModule
{
    public string Name => "rooms";

    public IReadOnlyList<string> Needs => ["mailboxes"];

    public void Register(IServiceCollection services)
    {
        services.AddOptions<RoomOptions>().BindConfiguration(RoomOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RoomOptions>, RoomOptionsValidator>();
        // A backplane registers a shared transient room store (and a relay) first; one process keeps them in memory.
        services.TryAddSingleton<ITransientRoomStore, MemoryTransientRoomStore>();
        services.TryAddSingleton<RoomConnections>();
        services.TryAddSingleton<RoomRegistry>();
        services.TryAddSingleton<RoomEvents>();
        services.TryAddSingleton<RoomFanOut>();
        services.TryAddSingleton<RoomCreationLimits>();
        services.TryAddSingleton<RoomPasswords>();
        services.TryAddSingleton<RoomJoinLimiter>();
        services.AddSingleton<ISessionObserver>(sp => sp.GetRequiredService<RoomRegistry>());
        services.AddSingleton<IRequestHandler, CreateRoomHandler>();
        services.AddSingleton<IRequestHandler, JoinRoomHandler>();
        services.AddSingleton<IRequestHandler, SubscribeRoomHandler>();
        services.AddSingleton<IRequestHandler, RoomSendHandler>();
        services.AddSingleton<IRequestHandler, RoomKickHandler>();
        services.AddSingleton<IRequestHandler, RoomLeaveHandler>();
        services.AddSingleton<IRequestHandler, RoomStopHandler>();
        services.AddSingleton<IRequestHandler, RoomMembersHandler>();
        services.AddSingleton<IRequestHandler, RoomConfigureHandler>();
        services.AddSingleton<IRequestHandler, RoomSetRoleHandler>();
        services.AddSingleton<IRequestHandler, ListRoomsHandler>();
        services.AddHostedService<RoomJanitor>();
        services.AddSingleton<IOperatorReport, RoomReport>();
    }
}
