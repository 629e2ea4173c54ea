using System.Threading.Channels;
using Google.Protobuf;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.V1;

namespace Purr.Client.Rooms;

/// <summary>
/// One member's view of one room over one connection: a fresh member key, the room keys (the link's
/// key, then rotated keys sealed to each member), names learnt from members' own messages, and a
/// stream of decrypted, signature-checked updates. Reads the connection's events, so give each room
/// session a connection of its own.
/// </summary>
public sealed partial class RoomSession : IAsyncDisposable
{
    private readonly PurrConnection connection;
    private readonly Ed25519KeyPair memberKey;
    private readonly X25519KeyPair dhKey;

    /// <summary>
    /// The most bytes of sealed keys one RoomKeyUpdate message carries: padded (48 KiB bucket) and encrypted it stays
    /// under the server's default 64 KiB room message limit (Rooms:MaxMessageBytes).
    /// </summary>
    private const int KeyUpdateBudgetBytes = 40_000;

    /// <summary>The seed of this member's ML-KEM-768 key (room keys sealed to it use the hybrid); null for a membership saved before.</summary>
    private readonly byte[]? kemSeed;
    private byte[]? kemPublicKey;
    private readonly IRandomSource random;
    private readonly Dictionary<string, byte[]> keys = [];
    private readonly Dictionary<string, string> names = [];
    private readonly Channel<RoomUpdate> updates = Channel.CreateUnbounded<RoomUpdate>();
    private readonly CancellationTokenSource stop = new();
    private readonly Lock gate = new();
    private static readonly TimeSpan CatchUpLimit = TimeSpan.FromSeconds(5);
    private List<RoomMember> members = [];
    private byte[] currentKeyId;
    private bool membersRemovedSinceKey;

    /// <summary>Members who joined since the current key was set, and so may hold only the link's key (hex member keys).</summary>
    private readonly HashSet<string> awaitingKey = [];

    /// <summary>Members (hex keys) with a connection to the room, from the last member list and the connection events since.</summary>
    private readonly HashSet<string> connected = [];

    /// <summary>Members this session kicked (hex keys) whose "left" echo has not come yet: their kick rotated the key already.</summary>
    private readonly HashSet<string> kickedHere = [];
    private bool disposed;
    private Task pump = Task.CompletedTask;
    private EventListener? listener;

    private RoomSession(
        PurrConnection connection, RoomLink link, string displayName, Ed25519KeyPair memberKey, X25519KeyPair dhKey, byte[]? kemSeed, IRandomSource random)
    {
        this.connection = connection;
        Link = link;
        DisplayName = displayName;
        this.memberKey = memberKey;
        this.dhKey = dhKey;
        this.kemSeed = kemSeed;
        this.random = random;
        currentKeyId = InitialKeyId(link.RoomKey);
        keys[Hex(currentKeyId)] = link.RoomKey;
    }

    /// <summary>The invite link; a creator's gets the room id once the server has made the room.</summary>
    public RoomLink Link { get; private set; }

    public string DisplayName { get; }

    public byte[] RoomId => Link.Invite.RoomId.ToByteArray();

    public byte[] MemberKey => memberKey.PublicKey;

    public bool Persistent => Link.Invite.Kind == RoomKind.Persistent;

    /// <summary>This member's room mailbox (persistent rooms), where room traffic waits while offline.</summary>
    public MailboxInfo? Mailbox { get; private set; }

    private Ed25519KeyPair? MailboxKey { get; set; }

    public ChannelReader<RoomUpdate> Updates => updates.Reader;

    /// <param name="name">The room's name in the link: what joiners call it unless they choose otherwise.</param>
    /// <param name="joinTagSecret">The profile's secret for join tags (<see cref="RoomCrypto.JoinTag"/>); without one a random tag is sent.</param>
    public static async Task<RoomSession> CreateAsync(
        PurrConnection connection, RoomKind kind, string displayName, RoomSettings? settings = null, string? password = null,
        IRandomSource? random = null, string? name = null, byte[]? joinTagSecret = null)
    {
        random ??= SystemRandomSource.Instance;
        var roomKey = Draw(random, RoomLink.KeyBytes);
        var joinSecret = Draw(random, 32);
        var session = new RoomSession(
            connection, new RoomLink(new RoomInvite(), roomKey), displayName, NewSigningKey(random), NewDhKey(random), Draw(random, MlKem768.SeedBytes), random);
        var request = new CreateRoom
        {
            Kind = kind,
            MemberProfile = ByteString.CopyFrom(session.SealedProfile()),
            MemberKey = ByteString.CopyFrom(session.MemberKey),
            MemberDhKey = ByteString.CopyFrom(session.dhKey.PublicKey),
            MemberKemKey = ByteString.CopyFrom(session.KemPublicKey),
            JoinSecret = ByteString.CopyFrom(joinSecret),
            Settings = settings ?? new RoomSettings(),
            Password = password ?? "",
            JoinTag = ByteString.CopyFrom(RoomCrypto.JoinTag(joinTagSecret ?? Draw(random, 32), roomKey)),
        };
        if (kind == RoomKind.Persistent)
        {
            request.MailboxReceiveId = ByteString.CopyFrom(await session.CreateMailboxAsync());
        }

        var created = await connection.CreatingAsync(registration =>
        {
            request.Registration = registration;
            return connection.RequestAsync(new Request { CreateRoom = request }, session.Signer(), session.MailboxSigner());
        }, CancellationToken.None);
        var invite = new RoomInvite
        {
            Server = connection.Address.ToString(),
            RoomId = created.RoomCreated.RoomId,
            JoinSecret = ByteString.CopyFrom(joinSecret),
            Kind = kind,
            PasswordRequired = !string.IsNullOrEmpty(password),
            Name = name ?? "",
        };
        session.Link = new RoomLink(invite, roomKey);
        session.members =
        [
            new RoomMember
            {
                MemberKey = ByteString.CopyFrom(session.MemberKey), MemberDhKey = ByteString.CopyFrom(session.dhKey.PublicKey),
                MemberKemKey = ByteString.CopyFrom(session.KemPublicKey), Role = RoomRole.Owner, Voice = true,
            },
        ];
        await session.StartAsync();
        return session;
    }

    /// <param name="joinTagSecret">The profile's secret for join tags (<see cref="RoomCrypto.JoinTag"/>); without one a random tag is sent.</param>
    public static async Task<RoomSession> JoinAsync(
        PurrConnection connection, string link, string displayName, string? password = null, IRandomSource? random = null, byte[]? joinTagSecret = null)
    {
        random ??= SystemRandomSource.Instance;
        var parsed = RoomLink.Parse(link);
        var session = new RoomSession(connection, parsed, displayName, NewSigningKey(random), NewDhKey(random), Draw(random, MlKem768.SeedBytes), random);
        var request = new JoinRoom
        {
            RoomId = parsed.Invite.RoomId,
            JoinSecret = parsed.Invite.JoinSecret,
            MemberKey = ByteString.CopyFrom(session.MemberKey),
            MemberDhKey = ByteString.CopyFrom(session.dhKey.PublicKey),
            MemberKemKey = ByteString.CopyFrom(session.KemPublicKey),
            Password = password ?? "",
            MemberProfile = ByteString.CopyFrom(session.SealedProfile()),
            JoinTag = ByteString.CopyFrom(RoomCrypto.JoinTag(joinTagSecret ?? Draw(random, 32), parsed.RoomKey)),
        };
        if (session.Persistent)
        {
            request.MailboxReceiveId = ByteString.CopyFrom(await session.CreateMailboxAsync());
        }

        var joined = await connection.RequestAsync(new Request { JoinRoom = request }, session.Signer(), session.MailboxSigner());
        session.members = [.. joined.RoomJoined.Members];
        session.connected.UnionWith(session.members.Where(m => m.Connected).Select(m => Hex(m.MemberKey.Span)));
        foreach (var member in session.members)
        {
            session.LearnName(member);
        }

        await session.StartAsync();
        try
        {
            await session.SendPlaintextAsync(new RoomPlaintext { Hello = displayName }, to: null);
        }
        catch (PurrProtocolException e) when (e.Code == ErrorCode.Forbidden)
        {
            // A moderated room: without voice even the hello waits; names show once the member may speak.
        }

        return session;
    }

    /// <summary>The room's disappearing-message timer as this member knows it (seconds; 0 off): its texts carry it.</summary>
    public uint DisappearAfterSeconds { get; private set; }

    /// <summary>Sets the room's timer for every member (they adopt it from this message); returns it as kept, within the limits.</summary>
    public async Task<uint> SetDisappearingAsync(uint seconds)
    {
        var normalized = Messaging.DisappearingMessages.Normalize(seconds);
        await SendPlaintextAsync(new RoomPlaintext { DisappearingTimer = normalized }, to: null);
        DisappearAfterSeconds = normalized;
        return normalized;
    }

    /// <summary>Sends a text to every member; returns its message id (hex).</summary>
    public async Task<string> SendTextAsync(string text)
    {
        var plaintext = new RoomPlaintext { Text = text, DisappearAfter = DisappearAfterSeconds };
        await SendPlaintextAsync(plaintext, to: null);
        return Convert.ToHexStringLower(plaintext.MessageId.Span);
    }

    /// <summary>/purr: encrypted to one member alone, and delivered by the server to that member only.</summary>
    public Task WhisperAsync(byte[] member, string text) => SendPlaintextAsync(new RoomPlaintext { Text = text }, to: member);

    /// <summary>
    /// /kick: the server removes the member at once and, in the same step, takes a new join secret, so the link the
    /// member holds lets no one in any more; then a new room key goes to everyone left, with the new link sealed under
    /// it. With <paramref name="ban"/> the server also refuses the member's join tag from now on.
    /// </summary>
    public async Task KickAsync(byte[] member, bool ban = false)
    {
        var newSecret = Draw(random, 32);
        lock (gate)
        {
            kickedHere.Add(Hex(member));
        }

        await RequestAsync(new Request
        {
            RoomKick = new RoomKick
            {
                RoomId = Link.Invite.RoomId, MemberKey = ByteString.CopyFrom(MemberKey), Target = ByteString.CopyFrom(member),
                NewJoinSecret = ByteString.CopyFrom(newSecret), Ban = ban,
            },
        });
        lock (gate)
        {
            members.RemoveAll(m => m.MemberKey.Span.SequenceEqual(member));
            Link = WithJoinSecret(newSecret);
        }

        await RotateKeyAsync(newSecret);
    }

    /// <summary>Empties the room's ban list (owner and moderators; anyone in a flat room).</summary>
    public async Task ClearBansAsync()
    {
        var list = await RequestAsync(new Request { RoomMembers = new RoomMembers { RoomId = Link.Invite.RoomId, MemberKey = ByteString.CopyFrom(MemberKey) } });
        await RequestAsync(new Request
        {
            RoomConfigure = new RoomConfigure { RoomId = Link.Invite.RoomId, MemberKey = ByteString.CopyFrom(MemberKey), Settings = list.RoomMemberList.Settings, ClearBans = true },
        });
    }

    /// <summary>How many join tags the room's ban list holds (the server cannot say whose).</summary>
    public async Task<int> BanCountAsync()
    {
        var list = await RequestAsync(new Request { RoomMembers = new RoomMembers { RoomId = Link.Invite.RoomId, MemberKey = ByteString.CopyFrom(MemberKey) } });
        return (int)list.RoomMemberList.Bans;
    }

    private RoomLink WithJoinSecret(byte[] joinSecret)
    {
        var invite = Link.Invite.Clone();
        invite.JoinSecret = ByteString.CopyFrom(joinSecret);
        return Link with { Invite = invite };
    }

    /// <summary>/exit: a farewell to everyone, then leave.</summary>
    public async Task ExitAsync(string farewell)
    {
        await SendPlaintextAsync(new RoomPlaintext { Farewell = farewell }, to: null);
        await RequestAsync(new Request { RoomLeave = new RoomLeave { RoomId = Link.Invite.RoomId, MemberKey = ByteString.CopyFrom(MemberKey) } });
        await stop.CancelAsync();
    }

    /// <summary>/stop: the room ends for everyone and the server deletes all of it.</summary>
    public async Task StopAsync()
    {
        await RequestAsync(new Request { RoomStop = new RoomStop { RoomId = Link.Invite.RoomId, MemberKey = ByteString.CopyFrom(MemberKey) } });
        await stop.CancelAsync();
    }

    /// <summary>/topic: stored by the server as ciphertext under the current room key.</summary>
    public async Task SetTopicAsync(string topic)
    {
        var list = await RequestAsync(new Request { RoomMembers = new RoomMembers { RoomId = Link.Invite.RoomId, MemberKey = ByteString.CopyFrom(MemberKey) } });
        var settings = list.RoomMemberList.Settings;
        settings.Topic = ByteString.CopyFrom(EncryptGroup(new RoomPlaintext { Topic = topic }));
        await Configure(settings);
    }

    public Task Configure(RoomSettings settings) =>
        RequestAsync(new Request { RoomConfigure = new RoomConfigure { RoomId = Link.Invite.RoomId, MemberKey = ByteString.CopyFrom(MemberKey), Settings = settings } });

    public Task SetRoleAsync(byte[] member, RoomRole role, bool voice) =>
        RequestAsync(new Request { RoomSetRole = new RoomSetRole { RoomId = Link.Invite.RoomId, MemberKey = ByteString.CopyFrom(MemberKey), Target = ByteString.CopyFrom(member), Role = role, Voice = voice } });

    /// <summary>/members: keys and roles from the server, names from the members' own messages.</summary>
    public async Task<IReadOnlyList<RoomMemberView>> MembersAsync()
    {
        var list = await RequestAsync(new Request { RoomMembers = new RoomMembers { RoomId = Link.Invite.RoomId, MemberKey = ByteString.CopyFrom(MemberKey) } });
        foreach (var member in list.RoomMemberList.Members)
        {
            LearnName(member);
        }

        lock (gate)
        {
            members = [.. list.RoomMemberList.Members];
            connected.Clear();
            connected.UnionWith(members.Where(m => m.Connected).Select(m => Hex(m.MemberKey.Span)));
            return [.. members.Select(m => new RoomMemberView(
                m.MemberKey.ToByteArray(), NameOf(m.MemberKey.Span), m.Role, m.Voice, m.MemberKey.Span.SequenceEqual(MemberKey), connected.Contains(Hex(m.MemberKey.Span))))];
        }
    }

    /// <summary>
    /// Makes a new room key and seals it to every other current member; later messages use it. With a new join secret
    /// (after a kick), the update carries it encrypted under the new key, so only those the key is sealed to learn it.
    /// </summary>
    public async Task RotateKeyAsync(byte[]? newJoinSecret = null)
    {
        // The update is a group message under the current key: a newcomer still waiting for that key gets it first.
        await ShareCurrentKeyAsync();

        var newKey = Draw(random, RoomLink.KeyBytes);
        var newKeyId = Draw(random, RoomCrypto.KeyIdBytes);
        var update = new RoomKeyUpdate { KeyId = ByteString.CopyFrom(newKeyId) };
        if (newJoinSecret is not null)
        {
            var linkUpdate = new RoomPlaintext { LinkUpdate = new RoomLinkUpdate { JoinSecret = ByteString.CopyFrom(newJoinSecret) } };
            update.Link = ByteString.CopyFrom(RoomCrypto.EncryptGroup(RoomId, newKeyId, newKey, linkUpdate.ToByteArray(), random));
        }

        List<RoomMember> current;
        lock (gate)
        {
            current = [.. members.Where(m => !m.MemberKey.Span.SequenceEqual(MemberKey))];
        }

        // Sealed keys are ~340 bytes each (~1,430 with the ML-KEM ciphertext): a large room's update goes out in several
        // messages with the same key id, each under the room's message limit; every member finds its key in one of them.
        var part = update.Clone();
        foreach (var member in current)
        {
            var sealedKey = SealKeyFor(member, newKey);
            if (part.Keys.Count > 0 && part.CalculateSize() + sealedKey.CalculateSize() + 8 > KeyUpdateBudgetBytes)
            {
                await SendPlaintextAsync(new RoomPlaintext { KeyUpdate = part }, to: null, rotateFirst: false);
                part = update.Clone();
            }

            part.Keys.Add(sealedKey);
        }

        await SendPlaintextAsync(new RoomPlaintext { KeyUpdate = part }, to: null, rotateFirst: false);
        lock (gate)
        {
            keys[Hex(newKeyId)] = newKey;
            currentKeyId = newKeyId;
            membersRemovedSinceKey = false;
            awaitingKey.Clear();
        }
    }

    /// <summary>
    /// Seals the current key to members who joined after it was set (they hold only the link's key), in a whisper to
    /// each, before a group message they could not otherwise read. Nothing to do while the current key is still the link's.
    /// </summary>
    private async Task ShareCurrentKeyAsync()
    {
        byte[] keyId;
        byte[] key;
        List<RoomMember> newcomers;
        lock (gate)
        {
            if (awaitingKey.Count == 0)
            {
                return;
            }

            if (currentKeyId.AsSpan().SequenceEqual(InitialKeyId(Link.RoomKey)))
            {
                awaitingKey.Clear();
                return;
            }

            keyId = currentKeyId;
            key = keys[Hex(currentKeyId)];
            newcomers = [.. members.Where(m => awaitingKey.Contains(Hex(m.MemberKey.Span)))];
            awaitingKey.IntersectWith(newcomers.Select(m => Hex(m.MemberKey.Span)));
        }

        // A whisper each: a group message would be encrypted under the very key they lack.
        foreach (var member in newcomers)
        {
            var update = new RoomKeyUpdate { KeyId = ByteString.CopyFrom(keyId) };
            update.Keys.Add(SealKeyFor(member, key));
            await SendPlaintextAsync(new RoomPlaintext { KeyUpdate = update }, to: member.MemberKey.ToByteArray(), rotateFirst: false);
            lock (gate)
            {
                awaitingKey.Remove(Hex(member.MemberKey.Span));
            }
        }
    }

    /// <summary>This member's ML-KEM-768 encapsulation key, or empty for a membership from before post-quantum rooms.</summary>
    private byte[] KemPublicKey => kemPublicKey ??= kemSeed is null ? [] : MlKem768.PublicKeyFromSeed(kemSeed);

    /// <summary>A room key sealed to one member: the hybrid (X25519 and ML-KEM-768) when it gave a KEM key, X25519 alone otherwise.</summary>
    private SealedRoomKey SealKeyFor(RoomMember member, byte[] key)
    {
        if (MlKem768.IsValidEncapsulationKey(member.MemberKemKey.Span))
        {
            var (sealedKey, ciphertext) = RoomCrypto.SealHybrid(RoomId, member.MemberDhKey.ToByteArray(), member.MemberKemKey.ToByteArray(), key, random);
            return new SealedRoomKey { MemberKey = member.MemberKey, Sealed = ByteString.CopyFrom(sealedKey), KemCiphertext = ByteString.CopyFrom(ciphertext) };
        }

        return new SealedRoomKey { MemberKey = member.MemberKey, Sealed = ByteString.CopyFrom(RoomCrypto.Seal(RoomId, member.MemberDhKey.ToByteArray(), key, random)) };
    }

    /// <summary>A room key sealed to this member, either way it was sealed; null when it does not open.</summary>
    private byte[]? OpenKey(SealedRoomKey sealedKey) =>
        sealedKey.KemCiphertext.IsEmpty ? RoomCrypto.Open(RoomId, dhKey, sealedKey.Sealed.Span)
        : kemSeed is null ? null
        : RoomCrypto.OpenHybrid(RoomId, dhKey, kemSeed, sealedKey.Sealed.Span, sealedKey.KemCiphertext.Span);

    /// <summary>Everything needed to resume this membership later with <see cref="ResumeAsync"/>.</summary>
    public RoomSessionState Export()
    {
        var seed = new byte[Ed25519.SeedBytes];
        memberKey.CopySeed(seed);
        var dh = new byte[X25519.KeyBytes];
        dhKey.CopySecret(dh);
        byte[]? mailboxSeed = null;
        if (MailboxKey is not null)
        {
            mailboxSeed = new byte[Ed25519.SeedBytes];
            MailboxKey.CopySeed(mailboxSeed);
        }

        lock (gate)
        {
            return new RoomSessionState
            {
                Link = Link.ToString(),
                DisplayName = DisplayName,
                MemberKeySeed = seed,
                DhSecret = dh,
                KemSeed = kemSeed?.ToArray(),
                Keys = new Dictionary<string, byte[]>(keys),
                CurrentKeyId = currentKeyId,
                Names = new Dictionary<string, string>(names),
                Mailbox = Mailbox,
                MailboxKeySeed = mailboxSeed,
                MembersRemovedSinceKey = membersRemovedSinceKey,
                KnownMembers = [.. members.Select(m => Hex(m.MemberKey.Span))],
                AwaitingKey = [.. awaitingKey],
                DisappearAfterSeconds = DisappearAfterSeconds,
            };
        }
    }

    /// <summary>Comes back to a room with a saved membership: messages that waited in the room mailbox arrive first.</summary>
    public static async Task<RoomSession> ResumeAsync(PurrConnection connection, RoomSessionState state, IRandomSource? random = null)
    {
        var session = new RoomSession(
            connection, RoomLink.Parse(state.Link), state.DisplayName,
            Ed25519KeyPair.FromSeed(state.MemberKeySeed), X25519KeyPair.FromSecret(state.DhSecret),
            state.KemSeed is { Length: MlKem768.SeedBytes } ? state.KemSeed : null, random ?? SystemRandomSource.Instance)
        {
            Mailbox = state.Mailbox,
            MailboxKey = state.MailboxKeySeed is null ? null : Ed25519KeyPair.FromSeed(state.MailboxKeySeed),
            DisappearAfterSeconds = Messaging.DisappearingMessages.Normalize(state.DisappearAfterSeconds),
        };
        foreach (var (id, key) in state.Keys)
        {
            session.keys[id] = key;
        }

        foreach (var (member, name) in state.Names)
        {
            session.names[member] = name;
        }

        session.currentKeyId = state.CurrentKeyId.Length > 0 ? state.CurrentKeyId : session.currentKeyId;
        var current = (await session.MembersAsync()).Select(m => Hex(m.MemberKey)).ToHashSet();
        session.membersRemovedSinceKey = state.MembersRemovedSinceKey || state.KnownMembers.Any(known => !current.Contains(known));

        // Who joined while this device was away holds only the link's key, as far as this device knows.
        var self = Hex(session.MemberKey);
        foreach (var member in state.AwaitingKey.Concat(current.Where(c => state.KnownMembers.Count > 0 && !state.KnownMembers.Contains(c))))
        {
            if (member != self && current.Contains(member))
            {
                session.awaitingKey.Add(member);
            }
        }

        await session.StartAsync();
        await session.CatchUpAsync(CatchUpLimit);
        return session;
    }

    /// <summary>
    /// Waits (at most <paramref name="limit"/>) until everything that waited in a persistent room's mailbox has been
    /// handled, so names, members and keys are current before a one-shot command acts: the mailbox is empty once
    /// the pump has acknowledged the last event.
    /// </summary>
    public async Task CatchUpAsync(TimeSpan limit)
    {
        if (Mailbox is null || MailboxKey is null)
        {
            return;
        }

        using var deadline = new CancellationTokenSource(limit);
        try
        {
            while (await connection.FetchAsync(Mailbox.ReceiveId, MailboxKey, deadline.Token) is not null)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(25), deadline.Token);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            // A room busier than the limit: act on what arrived so far.
        }
    }

    /// <summary>This member's name for the others, sealed under the link's key (given at create and join).</summary>
    private byte[] SealedProfile() =>
        RoomCrypto.SealProfile(Link.RoomKey, MemberKey, new RoomPlaintext { SenderName = DisplayName }.ToByteArray(), random);

    /// <summary>
    /// Learns a member's name from its sealed profile, unless a message of its own already named it (newer);
    /// returns the name, or null when the profile is missing or does not open.
    /// </summary>
    private string? LearnName(RoomMember member)
    {
        if (member.MemberProfile.Length == 0 || RoomCrypto.OpenProfile(Link.RoomKey, member.MemberKey.Span, member.MemberProfile.Span) is not { } opened
            || Parse(opened) is not { SenderName.Length: > 0 } profile)
        {
            return null;
        }

        lock (gate)
        {
            var key = Hex(member.MemberKey.Span);
            names.TryAdd(key, profile.SenderName);
            return names[key];
        }
    }

    public string NameOf(ReadOnlySpan<byte> member)
    {
        lock (gate)
        {
            return member.SequenceEqual(MemberKey) ? DisplayName
                : names.TryGetValue(Hex(member), out var name) ? name : "member " + Hex(member)[..8];
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        await stop.CancelAsync();
        await pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        listener?.Dispose();
        memberKey.Dispose();
        dhKey.Dispose();
        MailboxKey?.Dispose();
        stop.Dispose();
    }

    private async Task SendPlaintextAsync(RoomPlaintext plaintext, byte[]? to, bool rotateFirst = true)
    {
        bool rotate;
        lock (gate)
        {
            rotate = rotateFirst && membersRemovedSinceKey && to is null;
        }

        if (rotate)
        {
            // Someone left since the current key was set: they must not read what follows.
            await RotateKeyAsync();
        }
        else if (to is null && plaintext.BodyCase != RoomPlaintext.BodyOneofCase.KeyUpdate)
        {
            await ShareCurrentKeyAsync();
        }

        plaintext.MessageId = ByteString.CopyFrom(Draw(random, 16));
        plaintext.SentAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        plaintext.SenderName = DisplayName;
        byte[] ciphertext;
        if (to is null)
        {
            ciphertext = EncryptGroup(plaintext);
        }
        else
        {
            RoomMember? target;
            lock (gate)
            {
                target = members.FirstOrDefault(m => m.MemberKey.Span.SequenceEqual(to));
            }

            if (target is null)
            {
                await MembersAsync();
                lock (gate)
                {
                    target = members.FirstOrDefault(m => m.MemberKey.Span.SequenceEqual(to))
                        ?? throw new PurrClientException("that member is not in the room");
                }
            }

            ciphertext = RoomCrypto.Seal(RoomId, target.MemberDhKey.ToByteArray(), plaintext.ToByteArray(), random);
        }

        var signature = memberKey.Sign(SignedBytes.RoomMessage(RoomId, to ?? [], ciphertext));
        await RequestAsync(new Request
        {
            RoomSend = new RoomSend
            {
                RoomId = Link.Invite.RoomId,
                MemberKey = ByteString.CopyFrom(MemberKey),
                Ciphertext = ByteString.CopyFrom(ciphertext),
                Signature = ByteString.CopyFrom(signature),
                To = to is null ? ByteString.Empty : ByteString.CopyFrom(to),
            },
        });
    }

    private byte[] EncryptGroup(RoomPlaintext plaintext)
    {
        byte[] keyId;
        byte[] key;
        lock (gate)
        {
            keyId = currentKeyId;
            key = keys[Hex(keyId)];
        }

        return RoomCrypto.EncryptGroup(RoomId, keyId, key, plaintext.ToByteArray(), random);
    }

    private Task<ServerFrame> RequestAsync(Request request) => connection.RequestAsync(request, Signer());

    private Func<byte[], byte[]> Signer() => bytes => memberKey.Sign(SignedBytes.MemberRequest(connection.SessionNonce.Span, bytes));

    /// <summary>Leaves quietly (no farewell): the server forgets this member.</summary>
    public async Task LeaveAsync()
    {
        await RequestAsync(new Request { RoomLeave = new RoomLeave { RoomId = Link.Invite.RoomId, MemberKey = ByteString.CopyFrom(MemberKey) } });
        await stop.CancelAsync();
    }

    /// <summary>A persistent room's mailbox proves itself on create and join: its recipient key signs the same request.</summary>
    private Func<byte[], byte[]>? MailboxSigner() => MailboxKey is { } key ? connection.RecipientSigner(key) : null;

    private async Task<byte[]> CreateMailboxAsync()
    {
        MailboxKey = NewSigningKey(random);
        Mailbox = await connection.CreateMailboxAsync(MailboxKey);
        return Mailbox.ReceiveId;
    }

    private static byte[] InitialKeyId(byte[] roomKey) => Blake2b.Hash(roomKey, 16)[..RoomCrypto.KeyIdBytes];

    private static byte[] Draw(IRandomSource random, int length)
    {
        var bytes = new byte[length];
        random.Fill(bytes);
        return bytes;
    }

    private static Ed25519KeyPair NewSigningKey(IRandomSource random) => Ed25519KeyPair.FromSeed(Draw(random, Ed25519.SeedBytes));

    private static X25519KeyPair NewDhKey(IRandomSource random) => X25519KeyPair.FromSecret(Draw(random, X25519.KeyBytes));

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
