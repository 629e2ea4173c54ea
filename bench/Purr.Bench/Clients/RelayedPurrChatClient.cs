using Purr.Client;
using Purr.Crypto;
using Purr.Protocol;

namespace Purr.Bench.Clients;

/// <summary>
/// A Purr user whose mailbox is on the destination server and who sends through a proxy server (PROTOCOL.md section
/// 15): every send is a relay packet sealed to the destination, forwarded over the proxy's link.
/// </summary>
internal sealed class RelayedPurrChatClient : IChatClient
{
    private readonly PurrChatClient receiver;
    private readonly PurrConnection proxy;
    private readonly RelayDestination destination;

    private RelayedPurrChatClient(PurrChatClient receiver, PurrConnection proxy, RelayDestination destination)
    {
        this.receiver = receiver;
        this.proxy = proxy;
        this.destination = destination;
    }

    public Action<ReadOnlyMemory<byte>>? OnMessage
    {
        get => receiver.OnMessage;
        set => receiver.OnMessage = value;
    }

    public static async Task<RelayedPurrChatClient> ConnectAsync(PurrAddress proxyAddress, PurrAddress destinationAddress)
    {
        var receiver = await PurrChatClient.ConnectAsync(destinationAddress);
        var proxy = await PurrConnection.ConnectAsync(proxyAddress);
        return new RelayedPurrChatClient(receiver, proxy, await proxy.RelayKeysAsync(destinationAddress));
    }

    public Task SendAsync(IChatClient peer, byte[] payload) =>
        proxy.SendRelayedAsync(destination, ((RelayedPurrChatClient)peer).receiver.SendId, payload);

    public async ValueTask DisposeAsync()
    {
        await proxy.DisposeAsync();
        await receiver.DisposeAsync();
    }
}

/// <summary>Purr with every send relayed through one proxy server to the destination server where the mailboxes are.</summary>
internal sealed class RelayedPurrSystem(PurrAddress proxy, PurrAddress destination) : IChatSystem
{
    public string Name => "one proxy hop";

    public async Task<IChatClient> ConnectAsync(int index) => await RelayedPurrChatClient.ConnectAsync(proxy, destination);
}
