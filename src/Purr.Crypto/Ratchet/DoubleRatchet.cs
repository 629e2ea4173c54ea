using System.Buffers.Binary;

namespace Purr.Crypto.Ratchet;

/// <summary>
/// The Double Ratchet with header encryption (Signal's specification, section 4), with
/// XChaCha20-Poly1305 for headers and bodies, and SimpleX's post-quantum extension (PQDR): each DH
/// step also mixes an ML-KEM-768 shared secret into the root chain, the headers carrying the sender's
/// current encapsulation key and a ciphertext to the peer's. Decryption works on a copy of the state
/// and commits it only on success, so a forged, tampered or duplicate message leaves the session exactly as it was.
/// </summary>
public static class DoubleRatchet
{
    /// <summary>Most message keys skipped in one chain before a message is refused.</summary>
    public const int MaxSkip = 1000;

    /// <summary>Most skipped message keys kept; the oldest are dropped beyond it.</summary>
    public const int MaxStoredSkipped = 2000;

    public const int RetiredHeaderKeysKept = 16;

    /// <summary>Header plaintext: ratchet public key (32) ‖ previous chain length (u32 BE) ‖ message number (u32 BE).</summary>
    public const int HeaderBytes = 40;

    /// <summary>A header that also offers this side's ML-KEM-768 encapsulation key (no ciphertext yet).</summary>
    public const int KemProposalHeaderBytes = HeaderBytes + MlKem768.EncapsulationKeyBytes;

    /// <summary>A header with the encapsulation key and the ciphertext to the peer's key: 2,272 bytes more than a classic one.</summary>
    public const int KemHeaderBytes = KemProposalHeaderBytes + MlKem768.CiphertextBytes;

    private const int NonceBytes = 24;

    /// <summary>
    /// RatchetInitAlice: the side that sends first (the acceptor of a card). With the card's ML-KEM prekey
    /// (a post-quantum card) this is PQDR's RatchetInitAlicePQ2: a fresh KEM key pair, and an encapsulation to
    /// the prekey mixed into the first sending chain; without it, a classic session (upgraded later).
    /// </summary>
    public static RatchetState InitializeInitiator(
        SessionSecrets secrets, ReadOnlySpan<byte> responderRatchetKey, IRandomSource random, byte[]? responderKemKey = null)
    {
        var (secret, publicKey) = NewDhKey(random);
        var state = new RatchetState
        {
            DhSendSecret = secret,
            DhSendPublic = publicKey,
            DhReceive = responderRatchetKey.ToArray(),
            HeaderSend = secrets.InitiatorHeaderKey.ToArray(),
            NextHeaderReceive = secrets.ResponderNextHeaderKey.ToArray(),
        };
        var dh = Agree(secret, responderRatchetKey) ?? throw new ArgumentException("the responder's ratchet key is a low-order point");
        if (responderKemKey is not null)
        {
            state.KemEnabled = true;
            state.PostQuantum = true;
            NewKemKey(state, random);
            var (ciphertext, shared) = MlKem768.Encapsulate(responderKemKey, random)
                ?? throw new ArgumentException("the responder's ML-KEM key is invalid");
            state.KemCiphertext = ciphertext;
            dh = [.. dh, .. shared];
        }

        (state.RootKey, state.ChainSend, state.NextHeaderSend) = RatchetKdf.Root(secrets.SharedKey, dh);
        return state;
    }

    /// <summary>
    /// RatchetInitBob: the card's creator, whose card prekey is the first ratchet key (and, on a post-quantum
    /// card, whose ML-KEM prekey is the first KEM key: the initiator's first header must carry a ciphertext to it).
    /// </summary>
    public static RatchetState InitializeResponder(SessionSecrets secrets, X25519KeyPair prekey, byte[]? kemPrekeySeed = null)
    {
        var secret = new byte[X25519.KeyBytes];
        prekey.CopySecret(secret);
        return new RatchetState
        {
            RootKey = secrets.SharedKey.ToArray(),
            DhSendSecret = secret,
            DhSendPublic = prekey.PublicKey.ToArray(),
            NextHeaderSend = secrets.ResponderNextHeaderKey.ToArray(),
            NextHeaderReceive = secrets.InitiatorHeaderKey.ToArray(),
            KemEnabled = kemPrekeySeed is not null,
            PostQuantum = kemPrekeySeed is not null,
            KemSendSeed = kemPrekeySeed?.ToArray(),
            KemSendPublic = kemPrekeySeed is null ? null : MlKem768.PublicKeyFromSeed(kemPrekeySeed),
        };
    }

    /// <summary>
    /// The peer reads post-quantum headers (it said so): from now on this side offers an ML-KEM key in its
    /// headers, and the peer's next chain mixes an encapsulation to it in. Draws a KEM seed unless one is held.
    /// </summary>
    public static void EnableKem(RatchetState state, IRandomSource random)
    {
        if (state.KemEnabled)
        {
            return;
        }

        state.KemEnabled = true;
        if (state.KemSendSeed is null)
        {
            NewKemKey(state, random);
        }
    }

    /// <summary>
    /// Seals one message whose plaintext fills <paramref name="body"/> except its last 16 bytes (room for the tag): it is
    /// encrypted in place and becomes the ciphertext. Returns the encrypted header, a fresh array.
    /// </summary>
    public static byte[] EncryptInPlace(RatchetState state, byte[] body, ReadOnlySpan<byte> associatedData, IRandomSource random)
    {
        if (state.ChainSend is null || state.HeaderSend is null)
        {
            throw new InvalidOperationException("this side cannot send before it has received the first message");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(body.Length, Aead.TagBytes, nameof(body));
        var (chain, messageKey) = RatchetKdf.Chain(state.ChainSend);
        var kemKey = state.KemEnabled ? state.KemSendPublic : null;
        var kemCiphertext = kemKey is null ? null : state.KemCiphertext;
        var header = new byte[HeaderBytes + (kemKey?.Length ?? 0) + (kemCiphertext?.Length ?? 0)];
        state.DhSendPublic.CopyTo(header, 0);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(32), state.PreviousSendCount);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(36), state.SendCount);
        kemKey?.CopyTo(header, HeaderBytes);
        kemCiphertext?.CopyTo(header, KemProposalHeaderBytes);
        var encryptedHeader = EncryptHeader(state.HeaderSend, header, random);
        EncryptBody(messageKey, body, associatedData, encryptedHeader);
        state.ChainSend = chain;
        state.SendCount++;
        return encryptedHeader;
    }

    public static DecryptStatus TryDecrypt(
        RatchetState state, RatchetMessage message, ReadOnlySpan<byte> associatedData, IRandomSource random, out byte[] plaintext)
    {
        var working = state.Clone();
        plaintext = new byte[PlaintextLength(message)];
        var status = Decrypt(working, message, associatedData, random, plaintext);
        if (status == DecryptStatus.Ok)
        {
            state.CopyFrom(working);
        }
        else
        {
            plaintext = [];
        }

        return status;
    }

    /// <summary>The length of a message's plaintext once opened: its ciphertext less the tag.</summary>
    public static int PlaintextLength(RatchetMessage message) => Math.Max(0, message.Ciphertext.Length - Aead.TagBytes);

    /// <summary>
    /// Decrypts into <paramref name="working"/>, a copy the caller owns: on anything but Ok the caller must
    /// discard it. For callers that check more (padding, parsing) before committing, so the state is copied once.
    /// The plaintext goes into <paramref name="plaintext"/>, <see cref="PlaintextLength"/> bytes (a buffer the caller may pool).
    /// </summary>
    public static DecryptStatus DecryptIntoCopy(
        RatchetState working, RatchetMessage message, ReadOnlySpan<byte> associatedData, IRandomSource random, Span<byte> plaintext)
    {
        Lengths.Require(plaintext, PlaintextLength(message), nameof(plaintext));
        return Decrypt(working, message, associatedData, random, plaintext);
    }

    private static DecryptStatus Decrypt(
        RatchetState state, RatchetMessage message, ReadOnlySpan<byte> associatedData, IRandomSource random, Span<byte> plaintext)
    {
        if (message.Ciphertext.Length < Aead.TagBytes)
        {
            return DecryptStatus.Failed;
        }

        for (var i = 0; i < state.Skipped.Count; i++)
        {
            var skipped = state.Skipped[i];
            if (DecryptHeader(skipped.HeaderKey, message.Header.Span) is { } skippedHeader && Number(skippedHeader) == skipped.Number)
            {
                if (!DecryptBody(skipped.MessageKey, message.Ciphertext.Span, associatedData, message.Header.Span, plaintext))
                {
                    return DecryptStatus.Failed;
                }

                state.Skipped.RemoveAt(i);
                return DecryptStatus.Ok;
            }
        }

        byte[]? header = state.HeaderReceive is null ? null : DecryptHeader(state.HeaderReceive, message.Header.Span);
        var ratchetStep = false;
        if (header is null)
        {
            header = DecryptHeader(state.NextHeaderReceive, message.Header.Span);
            ratchetStep = header is not null;
        }

        if (header is null)
        {
            // A header an earlier chain's key opens is from that chain; any message of it still
            // expected would have been found among the skipped keys above.
            foreach (var retired in state.RetiredHeaderKeys)
            {
                if (DecryptHeader(retired, message.Header.Span) is not null)
                {
                    return DecryptStatus.Duplicate;
                }
            }

            return DecryptStatus.Failed;
        }

        var number = Number(header);
        if (ratchetStep)
        {
            var previous = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(32));
            if (!SkipMessageKeys(state, previous))
            {
                return DecryptStatus.TooFarAhead;
            }

            if (!RatchetStep(state, header, random))
            {
                return DecryptStatus.Failed;
            }
        }
        else if (number < state.ReceiveCount)
        {
            return DecryptStatus.Duplicate;
        }

        if (!SkipMessageKeys(state, number))
        {
            return DecryptStatus.TooFarAhead;
        }

        var (chain, messageKey) = RatchetKdf.Chain(state.ChainReceive!);
        if (!DecryptBody(messageKey, message.Ciphertext.Span, associatedData, message.Header.Span, plaintext))
        {
            return DecryptStatus.Failed;
        }

        state.ChainReceive = chain;
        state.ReceiveCount++;
        return DecryptStatus.Ok;
    }

    private static bool SkipMessageKeys(RatchetState state, uint until)
    {
        if ((long)state.ReceiveCount + MaxSkip < until)
        {
            return false;
        }

        if (state.ChainReceive is null)
        {
            return true;
        }

        while (state.ReceiveCount < until)
        {
            var (chain, messageKey) = RatchetKdf.Chain(state.ChainReceive);
            state.Skipped.Add(new SkippedMessageKey(state.HeaderReceive!, state.ReceiveCount, messageKey));
            state.ChainReceive = chain;
            state.ReceiveCount++;
        }

        if (state.Skipped.Count > MaxStoredSkipped)
        {
            state.Skipped.RemoveRange(0, state.Skipped.Count - MaxStoredSkipped);
        }

        return true;
    }

    private static bool RatchetStep(RatchetState state, byte[] header, IRandomSource random)
    {
        var theirKey = header.AsSpan(0, 32);
        var theirKemKey = header.Length >= KemProposalHeaderBytes ? header[HeaderBytes..KemProposalHeaderBytes] : null;
        var theirCiphertext = header.Length == KemHeaderBytes ? header[KemProposalHeaderBytes..] : null;

        // Downgrade: once both sides' KEM secrets are in the root chain, a new chain must bring a fresh one.
        if (state.PostQuantum && theirCiphertext is null)
        {
            return false;
        }

        byte[] receivedSecret = [];
        if (theirCiphertext is not null)
        {
            if (state.KemSendSeed is null || MlKem768.Decapsulate(state.KemSendSeed, theirCiphertext) is not { } decapsulated)
            {
                return false;
            }

            receivedSecret = decapsulated;
        }

        if (state.HeaderReceive is not null)
        {
            state.RetiredHeaderKeys.Add(state.HeaderReceive);
            if (state.RetiredHeaderKeys.Count > RetiredHeaderKeysKept)
            {
                state.RetiredHeaderKeys.RemoveAt(0);
            }
        }

        state.PreviousSendCount = state.SendCount;
        state.SendCount = 0;
        state.ReceiveCount = 0;
        state.HeaderSend = state.NextHeaderSend;
        state.HeaderReceive = state.NextHeaderReceive;
        state.DhReceive = theirKey.ToArray();
        var received = Agree(state.DhSendSecret, theirKey);
        if (received is null)
        {
            return false;
        }

        (state.RootKey, state.ChainReceive, state.NextHeaderReceive) = RatchetKdf.Root(state.RootKey, [.. received, .. receivedSecret]);
        (state.DhSendSecret, state.DhSendPublic) = NewDhKey(random);
        var sent = Agree(state.DhSendSecret, theirKey)!;

        // A KEM key in the peer's header means it reads post-quantum headers: answer with one of ours and an
        // encapsulation to its key (PQDR's DHRatchetPQ2), fresh at every step.
        byte[] sentSecret = [];
        state.KemCiphertext = null;
        if (theirKemKey is not null)
        {
            state.KemEnabled = true;
        }

        if (state.KemEnabled)
        {
            NewKemKey(state, random);
            if (theirKemKey is not null)
            {
                if (MlKem768.Encapsulate(theirKemKey, random) is not { } encapsulated)
                {
                    return false;
                }

                (state.KemCiphertext, sentSecret) = encapsulated;
            }
        }

        if (theirCiphertext is not null && state.KemCiphertext is not null)
        {
            state.PostQuantum = true;
        }

        (state.RootKey, state.ChainSend, state.NextHeaderSend) = RatchetKdf.Root(state.RootKey, [.. sent, .. sentSecret]);
        return true;
    }

    private static void NewKemKey(RatchetState state, IRandomSource random)
    {
        var seed = new byte[MlKem768.SeedBytes];
        random.Fill(seed);
        state.KemSendSeed = seed;
        state.KemSendPublic = MlKem768.PublicKeyFromSeed(seed);
    }

    private static uint Number(byte[] header) => BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(36));

    private static byte[] EncryptHeader(byte[] headerKey, byte[] header, IRandomSource random)
    {
        var output = new byte[NonceBytes + header.Length + Aead.TagBytes];
        random.Fill(output.AsSpan(0, NonceBytes));
        Aead.XChaCha20Poly1305.Encrypt(headerKey, output.AsSpan(0, NonceBytes), header, [], output.AsSpan(NonceBytes));
        return output;
    }

    private static byte[]? DecryptHeader(byte[] headerKey, ReadOnlySpan<byte> encrypted)
    {
        var length = encrypted.Length - NonceBytes - Aead.TagBytes;
        if (length is not (HeaderBytes or KemProposalHeaderBytes or KemHeaderBytes) || headerKey.Length != Aead.KeyBytes)
        {
            return null;
        }

        var header = new byte[length];
        return Aead.XChaCha20Poly1305.TryDecrypt(headerKey, encrypted[..NonceBytes], encrypted[NonceBytes..], [], header)
            ? header
            : null;
    }

    /// <summary>Encrypts body[..^16] in place (libsodium allows the ciphertext to overwrite the plaintext), the tag last.</summary>
    private static void EncryptBody(byte[] messageKey, byte[] body, ReadOnlySpan<byte> associatedData, byte[] encryptedHeader)
    {
        Span<byte> keyThenNonce = stackalloc byte[RatchetKdf.MessageCipherBytes];
        RatchetKdf.MessageCipher(messageKey, keyThenNonce);
        var bodyAd = BodyAssociatedData(associatedData, encryptedHeader, out var rented);
        Aead.XChaCha20Poly1305.Encrypt(keyThenNonce[..Aead.KeyBytes], keyThenNonce[Aead.KeyBytes..], body.AsSpan(0, body.Length - Aead.TagBytes), bodyAd, body);
        Return(rented, keyThenNonce);
    }

    private static bool DecryptBody(
        byte[] messageKey, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> encryptedHeader, Span<byte> plaintext)
    {
        Span<byte> keyThenNonce = stackalloc byte[RatchetKdf.MessageCipherBytes];
        RatchetKdf.MessageCipher(messageKey, keyThenNonce);
        var bodyAd = BodyAssociatedData(associatedData, encryptedHeader, out var rented);
        var opened = Aead.XChaCha20Poly1305.TryDecrypt(keyThenNonce[..Aead.KeyBytes], keyThenNonce[Aead.KeyBytes..], ciphertext, bodyAd, plaintext);
        Return(rented, keyThenNonce);
        return opened;
    }

    /// <summary>The body's AD: the session's AD ‖ the encrypted header, in a pooled buffer (up to 2.5 KiB with a KEM header).</summary>
    private static ReadOnlySpan<byte> BodyAssociatedData(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> encryptedHeader, out byte[] rented)
    {
        var length = associatedData.Length + encryptedHeader.Length;
        rented = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        associatedData.CopyTo(rented);
        encryptedHeader.CopyTo(rented.AsSpan(associatedData.Length));
        return rented.AsSpan(0, length);
    }

    private static void Return(byte[] rented, Span<byte> keyThenNonce)
    {
        System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(keyThenNonce);
    }

    private static (byte[] Secret, byte[] Public) NewDhKey(IRandomSource random)
    {
        var secret = new byte[X25519.KeyBytes];
        random.Fill(secret);
        var publicKey = new byte[X25519.KeyBytes];
        X25519.PublicKeyFromSecret(secret, publicKey);
        return (secret, publicKey);
    }

    private static byte[]? Agree(byte[] secret, ReadOnlySpan<byte> publicKey)
    {
        var shared = new byte[X25519.KeyBytes];
        return X25519.TryAgree(secret, publicKey, shared) ? shared : null;
    }
}
