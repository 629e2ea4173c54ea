using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Purr.Backplane.Redis;
using Purr.Core.Ids;
using Purr.Server.Rooms;
using Purr.Storage.Tests;
using Purr.TestKit;

namespace Purr.Server.Tests.Rooms;

/// <summary>The transient room stores pass the room state contract, and rooms last as long as they are kept alive.</summary>
public abstract class TransientRoomStoreContract : RoomStateStoreContract<ITransientRoomStore>
{
    protected override bool Persistent => false;

    /// <summary>Lets this share of a room's lifetime pass (the memory store's clock; real time for Redis).</summary>
    protected abstract Task PassAsync(double shareOfLifetime);

    [Fact]
    public async Task A_room_kept_alive_outlives_its_lifetime_and_one_left_alone_ends()
    {
        var kept = NewRoom();
        var left = NewRoom();
        await Store.CreateRoomAsync(kept);
        await Store.CreateRoomAsync(left);
        Assert.Equal(2, await Store.CountAsync());

        await PassAsync(0.6);
        var unknown = OpaqueId.NewRandom();
        Assert.Equal([unknown], await Store.KeepAliveAsync([kept.RoomId, unknown]));
        await PassAsync(0.6);

        Assert.Null(await Store.FindRoomAsync(left.RoomId));
        Assert.False(await Store.TryUpdateRoomAsync(left));
        Assert.NotNull(await Store.FindRoomAsync(kept.RoomId));
        Assert.Empty(await Store.KeepAliveAsync([kept.RoomId]));
        Assert.Equal(1, await Store.CountAsync());
    }
}

public sealed class MemoryTransientRoomStoreTests : TransientRoomStoreContract
{
    private readonly ManualTimeProvider time = new(DateTimeOffset.UtcNow);
    private readonly RoomOptions options = new() { TransientGrace = TimeSpan.FromSeconds(30), JanitorInterval = TimeSpan.FromSeconds(1) };

    protected override Task<ITransientRoomStore> CreateAsync() =>
        Task.FromResult<ITransientRoomStore>(new MemoryTransientRoomStore(Microsoft.Extensions.Options.Options.Create(options), time));

    protected override Task PassAsync(double shareOfLifetime)
    {
        time.Advance(options.TransientLifetime() * shareOfLifetime);
        return Task.CompletedTask;
    }
}

public sealed class RedisTransientRoomStoreTests : TransientRoomStoreContract
{
    private readonly string channel = $"purr:test:{Guid.NewGuid():N}";
    private readonly List<ServiceProvider> providers = [];

    protected override Task<ITransientRoomStore> CreateAsync() => Task.FromResult(Open());

    protected override Task<ITransientRoomStore?> OpenAnotherAsync() => Task.FromResult<ITransientRoomStore?>(Open());

    /// <summary>A store as one purrd process has it: its own Redis connection, the deployment's channel.</summary>
    private ITransientRoomStore Open()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Redis:Configuration"] = TestServices.Redis,

            // A channel of its own: these keys never meet another test's.
            ["Redis:Channel"] = channel,
            ["Rooms:TransientGrace"] = "00:00:00",
            ["Rooms:JanitorInterval"] = "00:00:01",
        }).Build();
        var collection = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddSingleton(NullLoggerFactory.Instance)
            .AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>));
        collection.AddOptions<RoomOptions>().BindConfiguration(RoomOptions.Section);
        collection.AddSingleton(TimeProvider.System);
        collection.AddRedisBackplane();
        var services = collection.BuildServiceProvider();
        providers.Add(services);
        return services.GetRequiredService<ITransientRoomStore>();
    }

    /// <summary>The lifetime here is 3 s (no grace, three 1 s janitor rounds).</summary>
    protected override Task PassAsync(double shareOfLifetime) => Task.Delay(TimeSpan.FromSeconds(3 * shareOfLifetime));

    public override async Task DisposeAsync()
    {
        foreach (var services in providers)
        {
            await services.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}
