using Purr.Client.Messaging;
using Purr.Client.Profiles;
using Purr.Crypto;
using Purr.TestKit;

namespace Purr.Server.Tests.Messaging;

/// <summary>Real profiles in temporary directories, each with its own Messenger.</summary>
internal sealed class TestProfiles : IAsyncDisposable
{
    private readonly List<(TemporaryDirectory Directory, Messenger Messenger)> profiles = [];

    public Messenger Create(RunningServer server, string displayName) => Create(server.Address.ToString(), displayName);

    /// <summary>A profile whose home server is <paramref name="serverAddress"/> (an address with transports, say).</summary>
    public Messenger Create(string serverAddress, string displayName)
    {
        var directory = new TemporaryDirectory();
        var data = new ProfileData { Server = serverAddress, DisplayName = displayName };
        var file = ProfileFile.Create(directory.Path, "test passphrase", data, new Argon2Cost(1, 8UL * 1024 * 1024));
        var messenger = new Messenger(file, data);
        profiles.Add((directory, messenger));
        return messenger;
    }

    /// <summary>A second messenger on the profile of <paramref name="existing"/> (as another run of the CLI would open it); the caller disposes it.</summary>
    public Messenger Reopen(Messenger existing)
    {
        var directory = profiles.First(p => p.Messenger == existing).Directory;
        var (file, data) = ProfileFile.Open(directory.Path, () => "test passphrase");
        return new Messenger(file, data);
    }

    /// <summary>The usual start of a friendship: A invites, B accepts, both receive.</summary>
    public static async Task ConnectAsync(Messenger a, string aCallsB, Messenger b, string bCallsA)
    {
        var card = await a.InviteAsync(aCallsB, a.Data.DisplayName, TimeSpan.FromDays(1));
        await b.AcceptAsync(card.Link, bCallsA, b.Data.DisplayName);
        Assert.Contains(await a.ReceiveAsync(TimeSpan.FromSeconds(10)), e => e is ContactEstablished);
        Assert.Contains(await b.ReceiveAsync(TimeSpan.FromSeconds(10)), e => e is ContactEstablished);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (directory, messenger) in profiles)
        {
            await messenger.DisposeAsync();
            directory.Dispose();
        }
    }
}
