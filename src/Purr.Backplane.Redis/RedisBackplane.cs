using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Purr.Server.Mailboxes;

namespace Purr.Backplane.Redis;

/// <summary>Switches the Redis backplane on when configuration names a Redis ("Redis:Configuration").</summary>
public static class RedisBackplane
{
    public static bool IsConfigured(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration["Redis:Configuration"]);

    /// <summary>
    /// Registers the Redis signal ahead of the mailbox module, whose in-process signal then stays out; the shared
    /// transient room store ahead of the room module's memory one; the relays for broadcasts and room events; and the
    /// replay guard for relay and onion packets, shared by all nodes.
    /// </summary>
    public static IServiceCollection AddRedisBackplane(this IServiceCollection services)
    {
        services.AddOptions<RedisBackplaneOptions>().BindConfiguration(RedisBackplaneOptions.Section);
        // Factories, not types: see IPurrModule.Register.
        services.AddSingleton(sp => new RedisConnection(sp.GetRequiredService<IOptions<RedisBackplaneOptions>>()));
        services.AddSingleton(sp => new RedisBroadcastRelay(sp.GetRequiredService<RedisConnection>()));
        services.AddSingleton<Purr.Server.Admin.IBroadcastRelay>(sp => sp.GetRequiredService<RedisBroadcastRelay>());
        services.AddHostedService(sp => sp.GetRequiredService<RedisBroadcastRelay>());
        services.AddSingleton(sp => new RedisRoomRelay(sp.GetRequiredService<RedisConnection>(), sp.GetRequiredService<ILogger<RedisRoomRelay>>()));
        services.AddSingleton<Purr.Server.Rooms.IRoomRelay>(sp => sp.GetRequiredService<RedisRoomRelay>());
        services.AddHostedService(sp => sp.GetRequiredService<RedisRoomRelay>());
        services.AddSingleton<Purr.Server.Rooms.ITransientRoomStore>(sp => new RedisTransientRoomStore(
            sp.GetRequiredService<RedisConnection>(), sp.GetRequiredService<IOptions<Purr.Server.Rooms.RoomOptions>>()));
        services.AddSingleton(sp => new Purr.Server.Federation.InProcessReplayGuard(
            sp.GetRequiredService<IOptions<Purr.Server.Federation.FederationOptions>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<Purr.Server.Federation.IReplayGuard>(sp => new RedisReplayGuard(
            sp.GetRequiredService<RedisConnection>(), sp.GetRequiredService<Purr.Server.Federation.InProcessReplayGuard>()));
        services.AddSingleton(sp => new RedisMailboxSignal(
            sp.GetRequiredService<RedisConnection>(), sp.GetRequiredService<LiveDelivery>(), sp.GetRequiredService<ILogger<RedisMailboxSignal>>()));
        services.AddSingleton<IMailboxSignal>(sp => sp.GetRequiredService<RedisMailboxSignal>());
        services.AddHostedService(sp => sp.GetRequiredService<RedisMailboxSignal>());
        return services;
    }
}
