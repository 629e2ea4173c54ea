using System.Text.Json;
using Purr.Client;
using Purr.Client.Federation;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Server.Tests.Messaging;
using Purr.TestKit;

namespace Purr.Server.Tests.Federation;

/// <summary>
/// Server catalogs (PROTOCOL.md 15.4): a server publishes the peers its operator lists, signed by its key; `purr servers`
/// merges the catalogs of the servers a profile uses and checks each listed server through the home server.
/// </summary>
public sealed class CatalogTests
{
    [Fact]
    public async Task A_server_publishes_its_listed_peers_signed_and_purr_servers_checks_them_through_the_home_server()
    {
        await using var listed = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["Federation:Mode"] = "open" });
        var hidden = new PurrAddress(Ed25519KeyPair.Generate().PublicKey, "127.0.0.1", 9);
        var gone = new PurrAddress(Ed25519KeyPair.Generate().PublicKey, "127.0.0.1", 9);
        await using var home = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Federation:Mode"] = "open",
            ["Federation:AllowPrivateAddresses"] = "true",
            ["Federation:Peers:0:Address"] = listed.Address.ToString(),
            ["Federation:Peers:1:Address"] = hidden.ToString(),
            ["Federation:Peers:1:Listed"] = "false",
            ["Federation:Peers:2:Address"] = gone.ToString(),
            ["Federation:Peers:2:Relays"] = "false",
        });

        var catalog = await ServerCatalog.FetchAsync(home.Address);
        Assert.Equal([listed.Address.ToString(), gone.ToString()], catalog.Select(e => e.Address.ToString()));
        Assert.Equal([true, false], catalog.Select(e => e.Relays));

        // Only the key the address pins makes a catalog count: the same document checked against another key is refused.
        using var http = new HttpClient();
        var document = await http.GetStringAsync($"{home.HttpBase}.well-known/purr/catalog");
        Assert.Throws<PurrServerKeyMismatchException>(() => ServerCatalog.Parse(listed.Address, document));
        var wellKnown = JsonDocument.Parse(await http.GetStringAsync($"{home.HttpBase}.well-known/purr")).RootElement;
        Assert.Equal("open", wellKnown.GetProperty("federation").GetString());

        using var profile = new TemporaryDirectory();
        await PurrTool.RunAsync(0, "--profile", profile.Path, "init", "--server", home.Address.ToString(), "--display-name", "Alice");
        var text = await PurrTool.RunAsync(0, "--profile", profile.Path, "servers");
        Assert.Contains($"{listed.Address} (listed by 127.0.0.1:{home.Address.Port}, relays)\treachable through your server", text, StringComparison.Ordinal);
        Assert.Contains($"{gone} (listed by 127.0.0.1:{home.Address.Port})\tunreachable through your server", text, StringComparison.Ordinal);
        Assert.DoesNotContain(hidden.Fingerprint, text, StringComparison.Ordinal);
        var json = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", profile.Path, "--json", "servers")).RootElement;
        Assert.Equal(2, json.GetProperty("catalog").GetArrayLength());
        Assert.True(json.GetProperty("servers")[0].GetProperty("home").GetBoolean());
    }

    [Fact]
    public async Task A_server_with_federation_off_publishes_an_empty_catalog()
    {
        await using var server = await RunningServer.StartAsync();
        Assert.Empty(await ServerCatalog.FetchAsync(server.Address));
        using var http = new HttpClient();
        var wellKnown = JsonDocument.Parse(await http.GetStringAsync($"{server.HttpBase}.well-known/purr")).RootElement;
        Assert.Equal("off", wellKnown.GetProperty("federation").GetString());
    }
}
