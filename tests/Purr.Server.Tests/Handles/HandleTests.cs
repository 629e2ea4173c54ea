using System.Net;
using System.Text.Json;
using Google.Protobuf;
using Purr.Client;
using Purr.Client.EndToEnd;
using Purr.Client.Handles;
using Purr.Client.Messaging;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.V1;
using Purr.Server.Tests.Messaging;
using Purr.TestKit;

namespace Purr.Server.Tests.Handles;

/// <summary>Handles (name@server resolving to a contact address) and the opt-in directory (PROTOCOL.md section 14).</summary>
public sealed class HandleTests
{
    [Fact]
    public async Task A_handle_resolves_to_the_address_so_connect_by_handle_works_and_a_taken_handle_is_refused()
    {
        await using var server = await RunningServer.StartAsync("sqlite");
        await using var profiles = new TestProfiles();
        var alice = profiles.Create(server, "Alice");
        var bob = profiles.Create(server, "Bob");
        var mallory = profiles.Create(server, "Mallory");
        var address = await alice.CreateAddressAsync("Alice");
        var handle = await alice.RegisterHandleAsync("Alice.Smith");
        Assert.Equal($"alice.smith@{server.Address.Host}:{server.Address.Port}", handle);
        Assert.Equal(handle, alice.Handle);

        // Connecting by handle: resolved on the server, then an ordinary request through the address.
        await bob.RequestContactAsync(handle, "alice", "Bob", "found you by your handle");
        var request = (await alice.ReceiveAsync(TimeSpan.FromSeconds(10))).OfType<ContactRequestReceived>().Single();
        Assert.Equal("found you by your handle", request.Message);

        await mallory.CreateAddressAsync("Mallory");
        var taken = await Assert.ThrowsAsync<MessengerException>(() => mallory.RegisterHandleAsync("alice.smith"));
        Assert.Contains("taken", taken.Message, StringComparison.Ordinal);
        Assert.Null(mallory.Handle);
        await Assert.ThrowsAsync<MessengerException>(() => bob.RequestContactAsync($"nobody@{server.Address.Host}:{server.Address.Port}", "x", "Bob"));

        // The well-known URL gives the same link; an unknown name is a 404.
        using var http = new HttpClient();
        var json = JsonDocument.Parse(await http.GetStringAsync(new Uri(server.HttpBase, "/.well-known/purr/handles/ALICE.smith"))).RootElement;
        Assert.Equal(address.Link, json.GetProperty("address").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(server.HttpBase, "/.well-known/purr/handles/nobody"))).StatusCode);

        // Replacing the address keeps the handle, now pointing at the new link; releasing frees the name.
        var replacement = await alice.CreateAddressAsync("Alice", replace: true);
        Assert.Equal(replacement.Link, JsonDocument.Parse(await http.GetStringAsync(new Uri(server.HttpBase, "/.well-known/purr/handles/alice.smith"))).RootElement.GetProperty("address").GetString());
        await alice.ReleaseHandleAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(server.HttpBase, "/.well-known/purr/handles/alice.smith"))).StatusCode);
        Assert.Equal("alice.smith@", (await mallory.RegisterHandleAsync("alice.smith"))[..12]);
    }

    [Fact]
    public async Task A_handle_on_a_server_the_profile_does_not_use_is_found_through_its_well_known_address()
    {
        await using var home = await RunningServer.StartAsync();
        await using var elsewhere = await RunningServer.StartAsync();
        await using var profiles = new TestProfiles();
        var shop = profiles.Create(elsewhere, "Shop");
        var bob = profiles.Create(home, "Bob");
        await shop.CreateAddressAsync("Shop");
        var handle = await shop.RegisterHandleAsync("shop");
        Assert.True(HandleName.TryParse(handle, out var parsed));
        Assert.Equal(shop.Data.Address!.Link, (await bob.ResolveHandleAsync(parsed)).AddressLink);
    }

    [Fact]
    public async Task The_directory_lists_searches_expires_free_for_chat_and_delists_at_once()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await RunningServer.StartAsync(time: time);
        await using var profiles = new TestProfiles();
        var alice = profiles.Create(server, "Alice");
        var bees = profiles.Create(server, "Bees");
        var hidden = profiles.Create(server, "Hidden");
        foreach (var (profile, name) in new[] { (alice, "alice"), (bees, "bees.club"), (hidden, "hidden") })
        {
            await profile.CreateAddressAsync(name);
            await profile.RegisterHandleAsync(name);
        }

        await alice.SetListingAsync(true, "Gardening and bees", TimeSpan.FromHours(2));
        await bees.SetListingAsync(true, "Beekeepers of the valley");
        var searcher = profiles.Create(server, "Searcher");
        Assert.Equal(["alice", "bees.club"], (await searcher.SearchDirectoryAsync("bee")).Select(e => e.Name));
        Assert.Equal(["alice"], (await searcher.SearchDirectoryAsync("bee", freeForChatOnly: true)).Select(e => e.Name));
        Assert.Equal(["alice"], (await searcher.SearchDirectoryAsync("GARDEN")).Select(e => e.Name));
        Assert.Empty(await searcher.SearchDirectoryAsync("hidden"));
        var resolved = await searcher.ResolveHandleAsync(new HandleName("alice", server.Address.Host, server.Address.Port));
        Assert.Equal("Gardening and bees", resolved.Listing.Description);
        Assert.True(resolved.Listing.FreeForChatUntil > time.GetUtcNow().ToUnixTimeSeconds());

        // The status expires by itself; delisting is immediate.
        time.Advance(TimeSpan.FromHours(3));
        Assert.Empty(await searcher.SearchDirectoryAsync("bee", freeForChatOnly: true));
        Assert.Equal(0, (await searcher.SearchDirectoryAsync("alice")).Single().FreeForChatUntil);
        await alice.SetListingAsync(false);
        Assert.Equal(["bees.club"], (await searcher.SearchDirectoryAsync("bee")).Select(e => e.Name));
        Assert.Null((await searcher.ResolveHandleAsync(new HandleName("alice", server.Address.Host, server.Address.Port))).Listing);
    }

    [Fact]
    public async Task Lookups_are_rate_limited_and_bad_or_unsigned_requests_change_nothing()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Directory:LookupsPerMinutePerConnection"] = "3",
            ["Directory:MaxAddressLinkBytes"] = "1024",
        });
        await using var connection = await server.ConnectAsync();
        for (var i = 0; i < 3; i++)
        {
            await connection.SearchDirectoryAsync("a");
        }

        var limited = await Assert.ThrowsAsync<PurrProtocolException>(() => connection.ResolveHandleAsync("alice"));
        Assert.Equal(ErrorCode.RateLimited, limited.Code);

        await using var other = await server.ConnectAsync();
        using var addressKey = Ed25519KeyPair.Generate();
        using var requestKey = X25519KeyPair.FromSecret(SecureRandom.Bytes(32));
        var link = ContactAddress.Create(addressKey, requestKey, new MailboxAddress { Server = server.Address.ToString(), SendId = ByteString.CopyFrom(new byte[16]) }, "A").Link;
        using var stranger = Ed25519KeyPair.Generate();

        Assert.Equal(ErrorCode.InvalidArgument, (await Assert.ThrowsAsync<PurrProtocolException>(() => other.RegisterHandleAsync("no", link, addressKey))).Code);
        Assert.Equal(ErrorCode.InvalidArgument, (await Assert.ThrowsAsync<PurrProtocolException>(() => other.RegisterHandleAsync("-dash", link, addressKey))).Code);
        Assert.Equal(ErrorCode.InvalidArgument, (await Assert.ThrowsAsync<PurrProtocolException>(() => other.RegisterHandleAsync("alice", "purr:address/AAAA", addressKey))).Code);

        // A post-quantum address (about 1.8 KB) is over this server's 1,024-byte limit (the default is 4,096).
        var longLink = ContactAddress.Create(
            addressKey, requestKey, new MailboxAddress { Server = server.Address.ToString(), SendId = ByteString.CopyFrom(new byte[16]) }, "A", SecureRandom.Bytes(64)).Link;
        var tooLong = await Assert.ThrowsAsync<PurrProtocolException>(() => other.RegisterHandleAsync("alice", longLink, addressKey));
        Assert.Equal(ErrorCode.InvalidArgument, tooLong.Code);
        Assert.Contains("at most 1024 bytes", tooLong.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCode.Auth, (await Assert.ThrowsAsync<PurrProtocolException>(() => other.RegisterHandleAsync("alice", link, stranger))).Code);
        await other.RegisterHandleAsync("alice", link, addressKey);
        Assert.Equal(ErrorCode.Auth, (await Assert.ThrowsAsync<PurrProtocolException>(() => other.ReleaseHandleAsync("alice", stranger))).Code);
        Assert.Equal(ErrorCode.Auth, (await Assert.ThrowsAsync<PurrProtocolException>(() => other.SetListingAsync("alice", stranger, true, "mine now", TimeSpan.Zero))).Code);
        Assert.Equal(ErrorCode.InvalidArgument, (await Assert.ThrowsAsync<PurrProtocolException>(() => other.SetListingAsync("alice", addressKey, true, new string('x', 141), TimeSpan.Zero))).Code);
        Assert.Equal(ErrorCode.InvalidArgument, (await Assert.ThrowsAsync<PurrProtocolException>(() => other.SetListingAsync("alice", addressKey, true, "", TimeSpan.FromDays(2)))).Code);
        Assert.Equal(link, (await other.ResolveHandleAsync("alice")).AddressLink);
        Assert.Null((await other.ResolveHandleAsync("alice")).Listing);
        Assert.Equal(ErrorCode.NotFound, (await Assert.ThrowsAsync<PurrProtocolException>(() => other.ResolveHandleAsync("bob"))).Code);
    }

    [Fact]
    public async Task Registering_a_handle_is_subject_to_the_registration_policy()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["Registration:Policy"] = "closed" });
        await using var connection = await server.ConnectAsync();
        using var addressKey = Ed25519KeyPair.Generate();
        using var requestKey = X25519KeyPair.FromSecret(SecureRandom.Bytes(32));
        var link = ContactAddress.Create(addressKey, requestKey, new MailboxAddress { Server = server.Address.ToString(), SendId = ByteString.CopyFrom(new byte[16]) }, "A").Link;
        Assert.Equal(ErrorCode.RegistrationClosed, (await Assert.ThrowsAsync<PurrProtocolException>(() => connection.RegisterHandleAsync("alice", link, addressKey))).Code);
        Assert.Equal(ErrorCode.NotFound, (await Assert.ThrowsAsync<PurrProtocolException>(() => connection.ResolveHandleAsync("alice"))).Code);
    }
}
