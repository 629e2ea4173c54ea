using Purr.Client;
using Purr.Crypto;
using Purr.Protocol;

namespace Purr.Bench.Clients;

/// <summary>A Purr user with one subscribed mailbox: receives pushes, acknowledges each, sends to peers' send ids.</summary>
internal sealed class PurrChatClient : IChatClient
{
    private readonly PurrConnection connection;
    private readonly Ed25519KeyPair key;
    private readonly MailboxInfo mailbox;
    private readonly Task loop;

    private PurrChatClient(PurrConnection connection, Ed25519KeyPair key, MailboxInfo mailbox)
    {
        this.connection = connection;
        this.key = key;
        this.mailbox = mailbox;
        loop = Task.Run(ReceiveLoopAsync);
    }

    public Action<ReadOnlyMemory<byte>>? OnMessage { get; set; }

    /// <summary>Where others send to this client's mailbox.</summary>
    public byte[] SendId => mailbox.SendId;

    public static async Task<PurrChatClient> ConnectAsync(PurrAddress address)
    {
        var connection = await PurrConnection.ConnectAsync(address);
        var key = Ed25519KeyPair.Generate();
        var mailbox = await connection.CreateMailboxAsync(key);
        await connection.SubscribeAsync(mailbox.ReceiveId, key);
        return new PurrChatClient(connection, key, mailbox);
    }

    public Task SendAsync(IChatClient peer, byte[] payload) => connection.SendAsync(((PurrChatClient)peer).mailbox.SendId, payload);

    public async ValueTask DisposeAsync()
    {
        await connection.DisposeAsync();
        await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        key.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        await foreach (var pushed in connection.Events.ReadAllAsync())
        {
            if (pushed is MessageReceived message)
            {
                OnMessage?.Invoke(message.Payload);
                try
                {
                    await connection.AckAsync(mailbox.ReceiveId, message.MessageId, key);
                }
                catch (PurrClientException)
                {
                    return;
                }
            }
        }
    }
}

/// <summary>Purr on one node, or on several: client i connects to node i mod n, so S1's pairs (i, i xor 1) sit on different nodes.</summary>
internal sealed class PurrSystem(IReadOnlyList<PurrAddress> nodes, string name = "Purr") : IChatSystem
{
    public PurrSystem(PurrAddress address)
        : this([address])
    {
    }

    public string Name => name;

    public async Task<IChatClient> ConnectAsync(int index) => await PurrChatClient.ConnectAsync(nodes[index % nodes.Count]);
}
