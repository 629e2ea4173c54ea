using System.Net.Http.Json;
using System.Text.Json;
using Purr.Client.Handles;
using Purr.Client.Messaging;
using Purr.Client.Rooms;
using Purr.Protocol;
using Purr.Protocol.V1;
using Purr.Server.Tests.Messaging;
using Purr.Server.Tests.Rooms;
using Purr.TestKit;

namespace Purr.Server.Tests.Ipv6;

/// <summary>
/// Issue 19, IPv6: purrd listening on ::1 and every flow through it over IPv6: the purr:// address (bracketed), the
/// well-known document, contacts and messages end to end, rooms, handles resolved across servers, and the purr tool.
/// </summary>
public sealed class Ipv6LoopbackTests
{
    private const string Loopback6 = "[::1]";

    [Fact]
    public async Task The_address_and_well_known_document_name_the_IPv6_host_in_brackets()
    {
        await using var server = await RunningServer.StartAsync(host: Loopback6);
        var text = server.Address.ToString();
        Assert.Contains("@[::1]:", text, StringComparison.Ordinal);
        Assert.Equal(server.Address, PurrAddress.Parse(text));

        using var http = new HttpClient { BaseAddress = server.HttpBase };
        var document = await http.GetFromJsonAsync<JsonElement>("/.well-known/purr");
        Assert.Equal(text, document.GetProperty("address").GetString());
    }

    [Fact]
    public async Task Contacts_and_messages_flow_end_to_end_between_two_IPv6_servers()
    {
        await using var home = await RunningServer.StartAsync(host: Loopback6);
        await using var other = await RunningServer.StartAsync(host: Loopback6);
        await using var profiles = new TestProfiles();
        var alice = profiles.Create(home, "Alice");
        var bob = profiles.Create(other, "Bob");
        await TestProfiles.ConnectAsync(alice, "bob", bob, "alice");
        await alice.SendTextAsync("bob", "over IPv6");
        Assert.Contains(await bob.ReceiveAsync(TimeSpan.FromSeconds(10)), e => e is TextReceived { Text: "over IPv6" });
        Assert.True(alice.Data.Contacts.Single().Session.PostQuantum);
    }

    [Fact]
    public async Task A_room_over_IPv6_delivers_to_its_members()
    {
        await using var server = await RunningServer.StartAsync(host: Loopback6);
        await using var harness = new RoomHarness(server);
        var (alice, _) = await harness.CreateAsync(RoomKind.Persistent, "Alice");
        var (bob, _) = await harness.JoinAsync(alice, "Bob");
        Assert.Contains("@[::1]:", alice.Link.Invite.Server, StringComparison.Ordinal);
        await alice.SendTextAsync("room over IPv6");
        Assert.Equal("room over IPv6", (await RoomHarness.TextAsync(bob, "room over IPv6")).Text);
    }

    [Fact]
    public async Task A_handle_on_an_IPv6_server_resolves_from_a_profile_on_another_server()
    {
        await using var home = await RunningServer.StartAsync();
        await using var shopServer = await RunningServer.StartAsync(host: Loopback6);
        await using var profiles = new TestProfiles();
        var shop = profiles.Create(shopServer, "Shop");
        var bob = profiles.Create(home, "Bob");
        await shop.CreateAddressAsync("Shop");
        var handle = await shop.RegisterHandleAsync("shop");
        Assert.Contains("@[::1]:", handle, StringComparison.Ordinal);
        Assert.True(HandleName.TryParse(handle, out var parsed));
        Assert.Equal(shop.Data.Address!.Link, (await bob.ResolveHandleAsync(parsed)).AddressLink);
    }

    [Fact]
    public async Task The_purr_tool_talks_over_IPv6()
    {
        await using var server = await RunningServer.StartAsync(host: Loopback6);
        using var home = new TemporaryDirectory();
        var (alice, bob) = (Path.Combine(home.Path, "a"), Path.Combine(home.Path, "b"));
        await PurrTool.RunAsync(0, "--profile", alice, "init", "--server", server.Address.ToString());
        await PurrTool.RunAsync(0, "--profile", bob, "init", "--server", server.Address.ToString());
        var link = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", alice, "--json", "invite", "--name", "bob")).RootElement.GetProperty("link").GetString()!;
        await PurrTool.RunAsync(0, "--profile", bob, "accept", link, "--name", "alice");
        await PurrTool.RunAsync(0, "--profile", alice, "receive", "--wait", "10");
        await PurrTool.RunAsync(0, "--profile", alice, "send", "bob", "hello from ::1");
        Assert.Contains("hello from ::1", await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10"), StringComparison.Ordinal);
        Assert.Contains("ok: server key verified", await PurrTool.RunAsync(0, "--profile", alice, "ping", server.Address.ToString()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_browsers_served_over_IPv6_exchange_a_card_and_chat()
    {
        await using var server = await RunningServer.StartAsync(host: Loopback6);
        await using var browser = await Web.Browser.LaunchAsync();
        var alice = await browser.OpenAsync(server.HttpBase, "alice");
        var bob = await browser.OpenAsync(server.HttpBase, "bob");
        await alice.CreateProfileAsync("Alice");
        await bob.CreateProfileAsync("Bob");
        var link = await alice.InviteAsync("Bob");
        await bob.AcceptAsync(link);
        await bob.ExpectMessageAsync("Alice is now a contact");
        await bob.OpenConversationAsync("Alice");
        await bob.SendAsync("hello over IPv6, from a browser");
        await alice.OpenConversationAsync("Bob");
        await alice.ExpectMessageAsync("hello over IPv6, from a browser");
        alice.AssertOnlyOwnServerContacted();
        alice.AssertNoProblems();
    }

    [Fact]
    public async Task Transport_endpoints_with_IPv6_hosts_carry_the_raw_framing_and_MQTT()
    {
        await using var broker = await Transports.Mosquitto.StartAsync(host: "::1");
        var mqttUrl = $"mqtt://[::1]:{broker.Port}/purr/six";
        await using var server = await RunningServer.StartAsync(host: Loopback6, settings: new Dictionary<string, string> { ["Mqtt:Endpoint"] = mqttUrl });
        Assert.Equal(mqttUrl, server.Address.Transports.Single().ToString());
        // The WebSocket endpoint is dead: the address falls back to tcp://[::1] and to MQTT through a broker on ::1.
        var address = new PurrAddress(server.Address.IdentityKey, "::1", FreePorts.Next())
        {
            Transports = [TransportEndpoint.Parse($"tcp://[::1]:{server.Address.Port}"), TransportEndpoint.Parse(mqttUrl)],
        };
        await using (var raw = await Client.PurrConnection.ConnectAsync(PurrAddress.Parse(address.ToString())))
        {
            Assert.Equal("tcp://[::1]:" + server.Address.Port, raw.Endpoint.ToString());
            await raw.PingAsync();
        }

        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await using var mqtt = await Client.PurrConnection.ConnectAsync(address, address.Transports[1], new Client.PurrConnectionOptions { ConnectTimeout = TimeSpan.FromSeconds(1) });
                await mqtt.PingAsync();
                break;
            }
            catch (Client.PurrConnectionException) when (attempt < 20)
            {
                // purrd subscribes at the broker just after it starts.
                await Task.Delay(100);
            }
        }
    }
}
