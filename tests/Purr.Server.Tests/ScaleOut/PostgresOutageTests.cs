using System.Net;
using Npgsql;
using Purr.Client;
using Purr.Crypto;
using Purr.Protocol.V1;
using Purr.TestKit;

namespace Purr.Server.Tests.ScaleOut;

/// <summary>
/// PostgreSQL stops taking purrd's connections (its database refuses connections and purrd's are terminated, as
/// in an outage): requests get UNAVAILABLE with a retry-after on a connection that stays open, /readyz says 503,
/// what was stored is kept, and purrd recovers by itself when the database is back.
/// </summary>
public sealed class PostgresOutageTests
{
    [Fact]
    public async Task An_unreachable_database_is_answered_unavailable_and_recovered_from_without_losing_anything()
    {
        await using var database = await TemporaryPostgresDatabase.CreateAsync();
        await using var server = await RunningServer.StartAsync(storage: "postgres", settings: new Dictionary<string, string>
        {
            ["Postgres:ConnectionString"] = database.ConnectionString,
        });
        using var key = Ed25519KeyPair.Generate();
        await using var client = await server.ConnectAsync();
        var mailbox = await client.CreateMailboxAsync(key);
        await client.SendAsync(mailbox.SendId, "kept through the outage"u8.ToArray());

        await SetReachableAsync(database, false);
        var refused = await Assert.ThrowsAsync<PurrProtocolException>(() => client.SendAsync(mailbox.SendId, "refused"u8.ToArray()));
        Assert.Equal(ErrorCode.Unavailable, refused.Code);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.RetryAfter);
        await client.PingAsync();
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync(new Uri(server.HttpBase, "/readyz"))).StatusCode);

        await SetReachableAsync(database, true);
        await client.SendAsync(mailbox.SendId, "after"u8.ToArray());
        var head = await client.FetchAsync(mailbox.ReceiveId, key);
        Assert.Equal("kept through the outage"u8.ToArray(), head!.Payload);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(server.HttpBase, "/readyz"))).StatusCode);
    }

    private static async Task SetReachableAsync(TemporaryPostgresDatabase database, bool reachable)
    {
        await using var admin = new NpgsqlConnection(TestServices.Postgres);
        await admin.OpenAsync();
        await using var allow = new NpgsqlCommand($"ALTER DATABASE {database.Name} ALLOW_CONNECTIONS {reachable}", admin);
        await allow.ExecuteNonQueryAsync();
        if (!reachable)
        {
            await using var terminate = new NpgsqlCommand($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database.Name}'", admin);
            await terminate.ExecuteNonQueryAsync();
        }
    }
}
