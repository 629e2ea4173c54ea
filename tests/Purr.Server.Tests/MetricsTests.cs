using System.Text.RegularExpressions;
using Purr.Client.Messaging;
using Purr.Client.Rooms;
using Purr.Protocol;
using Purr.Protocol.V1;
using Purr.Server.Tests.Messaging;
using Purr.Server.Tests.Rooms;

namespace Purr.Server.Tests;

/// <summary>/metrics scraped after a full scenario: the numbers an operator needs, and no user data in any label or value.</summary>
public sealed partial class MetricsTests
{
    [Fact]
    public async Task A_scrape_after_a_full_scenario_has_aggregates_and_nothing_about_anyone()
    {
        await using var server = await RunningServer.StartAsync("sqlite");
        await using var profiles = new TestProfiles();
        var alice = profiles.Create(server, "Alice");
        var bob = profiles.Create(server, "Bob");
        await TestProfiles.ConnectAsync(alice, "bob", bob, "alice");
        await alice.SendTextAsync("bob", "hello metrics");
        Assert.Contains(await bob.ReceiveAsync(TimeSpan.FromSeconds(10)), e => e is TextReceived);
        await using var harness = new RoomHarness(server);
        var (room, _) = await harness.CreateAsync(RoomKind.Transient, "Carol");
        var (guest, _) = await harness.JoinAsync(room, "Dave");
        await room.SendTextAsync("room metrics");
        await RoomHarness.TextAsync(guest, "room metrics");

        using var http = new HttpClient { BaseAddress = server.HttpBase };
        var body = await http.GetStringAsync("/metrics");
        var samples = Parse(body);
        Assert.True(Value(samples, "purr_request_duration_seconds_count", "operation=\"SendMessage\"") >= 2);
        Assert.True(Value(samples, "purr_deliveries_total", "path=\"stored\"") >= 2);
        Assert.True(Value(samples, "purr_frames_received_total") > 10);
        Assert.True(Value(samples, "purr_mailboxes_mailboxes") >= 2);
        Assert.True(Value(samples, "purr_connections_open") >= 2);
        Assert.Equal(1, Value(samples, "purr_rooms_live"));
        Assert.True(Value(samples, "purr_store_operation_duration_seconds_count", "operation=\"Enqueue\"") >= 2);
        Assert.Contains(samples, s => s.Name.StartsWith("dotnet_collection_count_total", StringComparison.Ordinal));
        Assert.Contains(samples, s => s.Name == "purr_threadpool_threads");

        // Every label value is a protocol enum name, a delivery path, a GC generation or a bucket bound.
        foreach (var (name, labels, _) in samples)
        {
            foreach (Match label in LabelPair().Matches(labels))
            {
                var value = label.Groups["value"].Value;
                Assert.True(SafeLabelValue().IsMatch(value), $"{name} has a label value that could be user data: {value}");
            }
        }

        // And nothing of the scenario appears anywhere: no key, id, name, text or address.
        var secrets = new List<string> { "127.0.0.1", "Alice", "Bob", "Carol", "Dave", "hello metrics", "room metrics" };
        foreach (var id in new[] { room.RoomId, room.MemberKey, guest.MemberKey }.Concat(alice.Contacts.SelectMany(c => c.Inbox.Select(m => m.ReceiveId))))
        {
            secrets.AddRange([Convert.ToHexStringLower(id), Convert.ToHexString(id), Base64Url.Encode(id), Convert.ToBase64String(id)]);
        }

        Assert.All(secrets, secret => Assert.DoesNotContain(secret, body, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Metrics_are_for_this_machine_unless_allowed_and_health_is_for_anyone()
    {
        await using var server = await RunningServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.HttpBase };
        Assert.Equal("ok\n", await http.GetStringAsync("/healthz"));
        Assert.Equal("ready\n", await http.GetStringAsync("/readyz"));

        // Through a proxy on the same host the request looks local: the forwarding header gives it away.
        using var proxied = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        proxied.Headers.Add("X-Forwarded-For", "203.0.113.7");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.SendAsync(proxied)).StatusCode);

        await using var off = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["Metrics:Enabled"] = "false" });
        using var offHttp = new HttpClient { BaseAddress = off.HttpBase };
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await offHttp.GetAsync("/metrics")).StatusCode);
    }

    private static List<(string Name, string Labels, double Value)> Parse(string body) =>
        [.. body.Split('\n').Where(line => line.Length > 0 && !line.StartsWith('#')).Select(line =>
        {
            var match = Sample().Match(line);
            Assert.True(match.Success, $"not an OpenMetrics sample: {line}");
            return (match.Groups["name"].Value, match.Groups["labels"].Value, double.Parse(match.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture));
        })];

    private static double Value(List<(string Name, string Labels, double Value)> samples, string name, string label = "") =>
        samples.Where(s => s.Name == name && s.Labels.Contains(label, StringComparison.Ordinal)).Sum(s => s.Value);

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>[-+0-9.eE]+|NaN|\+Inf|-Inf)$")]
    private static partial Regex Sample();

    [GeneratedRegex("(?<key>[a-zA-Z_]+)=\"(?<value>[^\"]*)\"")]
    private static partial Regex LabelPair();

    [GeneratedRegex(@"^([A-Z][A-Za-z]*|[A-Z_]+|live|stored|[0-9]+|[0-9.eE+-]+|\+Inf)$")]
    private static partial Regex SafeLabelValue();
}
