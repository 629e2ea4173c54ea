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
        services.AddSingleton<IValidateOptions<RoomOptions>>(sp => new RoomOptionsValidator());
        // A backplane registers a shared transient room store (and a relay) first; one process keeps them in memory.
        services.TryAddSingleton<ITransientRoomStore>(sp => new MemoryTransientRoomStore(
            sp.GetRequiredService<IOptions<RoomOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new RoomConnections(
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<RoomOptions>>(),
            sp.GetRequiredService<IEnumerable<IRoomRelay>>()));
        services.TryAddSingleton(sp => new RoomRegistry(
            sp.GetRequiredService<Purr.Core.Rooms.IRoomStore>(),
            sp.GetRequiredService<ITransientRoomStore>(),
            sp.GetRequiredService<RoomConnections>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new RoomEvents(
            sp.GetRequiredService<RoomRegistry>(), sp.GetRequiredService<IEnumerable<IRoomRelay>>()));
        services.TryAddSingleton(sp => new RoomFanOut(
            sp.GetRequiredService<Purr.Server.Mailboxes.IMailboxDelivery>(), sp.GetRequiredService<RoomEvents>()));
        services.TryAddSingleton(sp => new RoomCreationLimits(
            sp.GetRequiredService<IOptions<RoomOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new RoomPasswords(
            sp.GetRequiredService<IOptions<RoomOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new RoomJoinLimiter(
            sp.GetRequiredService<IOptions<RoomOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ISessionObserver>(sp => sp.GetRequiredService<RoomRegistry>());
        services.AddSingleton<IRequestHandler>(sp => new CreateRoomHandler(
            sp.GetRequiredService<RoomRegistry>(),
            sp.GetRequiredService<Purr.Server.Mailboxes.IMailboxDelivery>(),
            sp.GetRequiredService<RoomCreationLimits>(),
            sp.GetRequiredService<RoomPasswords>(),
            sp.GetRequiredService<Purr.Server.Registration.CreationGate>(),
            sp.GetRequiredService<IOptions<RoomOptions>>()));
        services.AddSingleton<IRequestHandler>(sp => new JoinRoomHandler(
            sp.GetRequiredService<RoomRegistry>(),
            sp.GetRequiredService<RoomFanOut>(),
            sp.GetRequiredService<Purr.Server.Mailboxes.IMailboxDelivery>(),
            sp.GetRequiredService<RoomPasswords>(),
            sp.GetRequiredService<RoomJoinLimiter>(),
            sp.GetRequiredService<IOptions<RoomOptions>>()));
        services.AddSingleton<IRequestHandler>(sp => new SubscribeRoomHandler(sp.GetRequiredService<RoomRegistry>()));
        services.AddSingleton<IRequestHandler>(sp => new RoomSendHandler(
            sp.GetRequiredService<RoomRegistry>(), sp.GetRequiredService<RoomFanOut>(), sp.GetRequiredService<IOptions<RoomOptions>>()));
        services.AddSingleton<IRequestHandler>(sp => new RoomKickHandler(
            sp.GetRequiredService<RoomRegistry>(), sp.GetRequiredService<RoomFanOut>(), sp.GetRequiredService<IOptions<RoomOptions>>()));
        services.AddSingleton<IRequestHandler>(sp => new RoomLeaveHandler(
            sp.GetRequiredService<RoomRegistry>(), sp.GetRequiredService<RoomFanOut>()));
        services.AddSingleton<IRequestHandler>(sp => new RoomStopHandler(
            sp.GetRequiredService<RoomRegistry>(), sp.GetRequiredService<RoomFanOut>()));
        services.AddSingleton<IRequestHandler>(sp => new RoomMembersHandler(sp.GetRequiredService<RoomRegistry>()));
        services.AddSingleton<IRequestHandler>(sp => new RoomConfigureHandler(
            sp.GetRequiredService<RoomRegistry>(), sp.GetRequiredService<RoomFanOut>(), sp.GetRequiredService<IOptions<RoomOptions>>()));
        services.AddSingleton<IRequestHandler>(sp => new RoomSetRoleHandler(
            sp.GetRequiredService<RoomRegistry>(), sp.GetRequiredService<RoomFanOut>()));
        services.AddSingleton<IRequestHandler>(sp => new ListRoomsHandler(sp.GetRequiredService<Purr.Core.Rooms.IRoomStore>()));
        services.AddHostedService(sp => new RoomJanitor(
            sp.GetRequiredService<RoomRegistry>(),
            sp.GetRequiredService<IOptions<RoomOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<RoomJanitor>>()));
        services.AddSingleton<IOperatorReport>(sp => new RoomReport(
            sp.GetRequiredService<RoomRegistry>(),
            sp.GetRequiredService<ITransientRoomStore>(),
            sp.GetRequiredService<IOptions<RoomOptions>>()));
    }
}
