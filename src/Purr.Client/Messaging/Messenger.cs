using Google.Protobuf;
using Purr.Client.EndToEnd;
using Purr.Client.Profiles;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.V1;

namespace Purr.Client.Messaging;

/// <summary>
/// One profile's messaging: invites, contacts, sending and receiving over mailboxes on any number of
/// servers. Every change to the profile is saved before the network step that depends on it, so a
/// crash never reuses a ratchet key and a received message is acknowledged only once it is saved.
/// </summary>
public sealed partial class Messenger : IAsyncDisposable
{
    private const int SeenIdsKept = 512;
    private readonly ProfileFile file;
    private readonly IRandomSource random;
    private readonly TimeProvider time;
    private readonly PurrConnectionOptions connectionOptions;
    private readonly SemaphoreSlim gate = new(1, 1);
    /// <summary>Open connections by server and isolation group ("" the shared one; Messenger.Isolation.cs).</summary>
    private readonly Dictionary<(string Server, string Group), PurrConnection> connections = [];

    /// <summary>Connections straight to a server for contacts whose route is "direct" (never through the own server).</summary>
    private readonly Dictionary<(string Server, string Group), PurrConnection> directConnections = [];
    private readonly Registration.ProfileRegistration? ownedRegistration;
    private History.MessageHistory? history;

    public Messenger(ProfileFile file, ProfileData data, IRandomSource? random = null, TimeProvider? time = null, PurrConnectionOptions? connectionOptions = null)
    {
        this.file = file;
        Data = data;
        this.random = random ?? SystemRandomSource.Instance;
        this.time = time ?? TimeProvider.System;
        var options = connectionOptions ?? new PurrConnectionOptions();
        // Unless the caller brings its own, creations draw on the profile's own credentials; requests for the profile's
        // mailboxes carry their mailbox keys where it has them (Messenger.MailboxKeys.cs).
        this.connectionOptions = new PurrConnectionOptions
        {
            UseTls = options.UseTls,
            ConnectTimeout = options.ConnectTimeout,
            RequestTimeout = options.RequestTimeout,
            EventQueueCapacity = options.EventQueueCapacity,
            ProtocolVersion = options.ProtocolVersion,
            Registration = options.Registration ?? (ownedRegistration = new Registration.ProfileRegistration(data, () => file.Save(data), this.random)),
            MailboxKeys = options.MailboxKeys ?? MailboxKeyOf,
            MailboxKeyRefused = options.MailboxKeyRefused ?? ForgetMailboxKey,
        };
    }

    public ProfileData Data { get; }

    /// <summary>The profile's message history on this device (texts sent and received, per contact).</summary>
    public History.MessageHistory History => history ??= new History.MessageHistory(file, time);

    public IReadOnlyList<ContactRecord> Contacts => Data.Contacts;

    /// <summary>The servers this messenger holds a connection to (addresses as the profile writes them).</summary>
    public IReadOnlyList<string> ConnectedServers => [.. connections.Keys.Concat(directConnections.Keys).Select(k => k.Server).Distinct()];

    /// <summary>How many connections this messenger holds open now (each isolation group has its own).</summary>
    public int OpenConnections => connections.Values.Concat(directConnections.Values).Count(c => c.IsOpen);

    public ContactRecord Contact(string name) =>
        Data.Contacts.FirstOrDefault(c => c.Name == name)
        ?? throw new MessengerException(Data.Invites.Any(i => i.Name == name)
            ? $"'{name}' has not accepted your invite yet; run 'purr receive' after they do"
            : $"no contact named '{name}'; 'purr contacts' lists them");

    /// <summary>The 60-digit code to compare with the contact out of band.</summary>
    public string SafetyCodeFor(string name)
    {
        var contact = Contact(name);
        using var identity = Ed25519KeyPair.FromSeed(contact.MyIdentitySeed);
        return SafetyCode.Compute(identity.PublicKey, contact.TheirIdentityKey);
    }

    public async Task MarkVerifiedAsync(string name)
    {
        await gate.WaitAsync();
        try
        {
            Contact(name).Verified = true;
            file.Save(Data);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Adds or replaces a room membership in the profile and saves it.</summary>
    public void SaveRoom(RoomRecord room)
    {
        gate.Wait();
        try
        {
            Data.Rooms.RemoveAll(r => r.Name == room.Name);
            Data.Rooms.Add(room);
            file.Save(Data);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The profile's secret for room join tags and address block tags, made (and saved) on first use.</summary>
    public byte[] RoomTagSecret()
    {
        gate.Wait();
        try
        {
            return TagSecretLocked();
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The same; the caller holds the gate.</summary>
    private byte[] TagSecretLocked()
    {
        if (Data.RoomTagSecret.Length != 32)
        {
            Data.RoomTagSecret = KeyMaterial.Draw(random, 32);
            file.Save(Data);
        }

        return Data.RoomTagSecret;
    }

    public void ForgetRoom(string name)
    {
        gate.Wait();
        try
        {
            Data.Rooms.RemoveAll(r => r.Name == name);
            file.Save(Data);
        }
        finally
        {
            gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Relayed connections first: they ride the connection to the own server.
        foreach (var connection in directConnections.Values.Concat(connections.Where(c => !SameServer(c.Key.Server, Data.Server)).Select(c => c.Value))
            .Concat(connections.Where(c => SameServer(c.Key.Server, Data.Server)).Select(c => c.Value)))
        {
            await connection.DisposeAsync();
        }

        connections.Clear();
        directConnections.Clear();
        ownedRegistration?.Dispose();
    }

    /// <summary>
    /// The profile's one connection to <paramref name="server"/>, shared by its contacts' mailboxes and its rooms
    /// (room sessions take their events through their own listeners); to another server than the profile's own, a
    /// relayed connection through the own server where it relays (see <see cref="OpenAsync"/>). Closed with the messenger.
    /// </summary>
    public Task<PurrConnection> ConnectionAsync(string server) => ConnectAsync(server);

    /// <summary>The connection a saved room uses: its server's, in the room's own isolation group (Messenger.Isolation.cs).</summary>
    public Task<PurrConnection> RoomConnectionAsync(RoomRecord room)
    {
        var server = Rooms.RoomLink.Parse(room.State.Link).Invite.Server;
        return ConnectAsync(server, group: GroupFor(server, room));
    }

    /// <param name="group">The isolation group (Messenger.Isolation.cs): "" is the connection every group shares.</param>
    private async Task<PurrConnection> ConnectAsync(string server, bool direct = false, string group = "")
    {
        var pool = direct ? directConnections : connections;
        if (pool.TryGetValue((server, group), out var open) && open.IsOpen)
        {
            return open;
        }

        if (open is not null)
        {
            await open.DisposeAsync();
        }

        var connection = direct ? await PurrConnection.ConnectAsync(PurrAddress.Parse(server), connectionOptions) : await OpenAsync(server, group);
        pool[(server, group)] = connection;
        return connection;
    }

    /// <param name="owner">The contact (or invite, address) it is for: its isolation group creates it.</param>
    private async Task<MailboxRecordData> CreateMailboxAsync(string server, byte[]? senderKey, uint? lifetimeSeconds = null, object? owner = null)
    {
        var seed = KeyMaterial.Draw(random, Ed25519.SeedBytes);
        using var key = Ed25519KeyPair.FromSeed(seed);
        var connection = await ConnectAsync(server, group: GroupFor(server, owner));
        var created = await connection.CreateMailboxAsync(key, lifetimeSeconds);
        if (senderKey is not null)
        {
            await connection.SecureMailboxAsync(created.ReceiveId, key, senderKey);
        }

        return new MailboxRecordData { Server = server, ReceiveId = created.ReceiveId, SendId = created.SendId, RecipientKeySeed = seed };
    }

    private Envelope NewEnvelope()
    {
        var id = KeyMaterial.Draw(random, 16);
        // KemHeaders: this client reads post-quantum ratchet headers, so a classic session with it upgrades.
        // DeviceId: which of the profile's devices sent it (PROTOCOL.md 10.10); 0 until the profile has more than one.
        return new Envelope { MessageId = ByteString.CopyFrom(id), SentAt = time.GetUtcNow().ToUnixTimeSeconds(), KemHeaders = true, DeviceId = Data.DeviceId };
    }

    private static Session SessionOf(ContactRecord contact) => new(contact.Session, contact.AssociatedData);

    private static void Remember(List<string> list, string id)
    {
        list.Add(id);
        if (list.Count > SeenIdsKept)
        {
            list.RemoveRange(0, list.Count - SeenIdsKept);
        }
    }
}
