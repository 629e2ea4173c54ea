using Purr.Client;
using Purr.Crypto;
using Purr.Protocol;

namespace Purr.Bench.Clients;

/// <summary>
/// A Purr user whose mailbox is on the destination server and who sends through a proxy server (PROTOCOL.md section
/// 15): every send is a relay packet sealed to the destination, forwarded over the proxy's link; with further hops, an
/// onion route (section 15.5) through the proxy and those servers.
/// </summary>
internal sealed class RelayedPurrChatClient : IChatClient
{
    private readonly PurrChatClient receiver;
    private readonly PurrConnection proxy;
    private readonly RelayDestination destination;
    private readonly IReadOnlyList<RelayDestination>? route;

    private RelayedPurrChatClient(PurrChatClient receiver, PurrConnection proxy, RelayDestination destination, IReadOnlyList<RelayDestination>? route)
    {
        this.receiver = receiver;
        this.proxy = proxy;
        this.destination = destination;
        this.route = route;
    }

    public Action<ReadOnlyMemory<byte>>? OnMessage
    {
        get => receiver.OnMessage;
        set => receiver.OnMessage = value;
    }

    public static async Task<RelayedPurrChatClient> ConnectAsync(PurrAddress proxyAddress, PurrAddress destinationAddress, IReadOnlyList<PurrAddress> through)
    {
        var receiver = await PurrChatClient.ConnectAsync(destinationAddress);
        var proxy = await PurrConnection.ConnectAsync(proxyAddress);
        if (through.Count == 0)
        {
            return new RelayedPurrChatClient(receiver, proxy, await proxy.RelayKeysAsync(destinationAddress), null);
        }

        var route = new List<RelayDestination> { await proxy.RelayKeysAsync(proxyAddress) };
        foreach (var hop in through)
        {
            route.Add(await proxy.RelayKeysAsync(route, hop));
        }

        return new RelayedPurrChatClient(receiver, proxy, await proxy.RelayKeysAsync(route, destinationAddress), route);
    }

    public Task SendAsync(IChatClient peer, byte[] payload) =>
        proxy.SendRelayedAsync(destination, ((RelayedPurrChatClient)peer).receiver.SendId, payload, route: route);

    public async ValueTask DisposeAsync()
    {
        await proxy.DisposeAsync();
        await receiver.DisposeAsync();
    }
}

/// <summary>
/// Purr with every send relayed to the destination server where the mailboxes are: through one proxy server, or with
/// <paramref name="through"/>, an onion route through the proxy and those servers.
/// </summary>
internal sealed class RelayedPurrSystem(PurrAddress proxy, PurrAddress destination, IReadOnlyList<PurrAddress>? through = null) : IChatSystem
{
    public string Name => through is { Count: > 0 } ? $"{through.Count + 1}-hop onion route" : "one proxy hop";

    public async Task<IChatClient> ConnectAsync(int index) => await RelayedPurrChatClient.ConnectAsync(proxy, destination, through ?? []);
}
