using System.Buffers.Binary;

namespace Purr.Crypto.Ratchet;

/// <summary>
/// The Double Ratchet with header encryption (Signal's specification, section 4), with
/// XChaCha20-Poly1305 for headers and bodies. Decryption works on a copy of the state and commits it
/// only on success, so a forged, tampered or duplicate message leaves the session exactly as it was.
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

    private const int NonceBytes = 24;

    /// <summary>RatchetInitAlice: the side that sends first (the acceptor of a card).</summary>
    public static RatchetState InitializeInitiator(SessionSecrets secrets, ReadOnlySpan<byte> responderRatchetKey, IRandomSource random)
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
        (state.RootKey, state.ChainSend, state.NextHeaderSend) = RatchetKdf.Root(secrets.SharedKey, dh);
        return state;
    }

    /// <summary>RatchetInitBob: the card's creator, whose card prekey is the first ratchet key.</summary>
    public static RatchetState InitializeResponder(SessionSecrets secrets, X25519KeyPair prekey)
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
        };
    }

    public static RatchetMessage Encrypt(RatchetState state, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, IRandomSource random)
    {
        if (state.ChainSend is null || state.HeaderSend is null)
        {
            throw new InvalidOperationException("this side cannot send before it has received the first message");
        }

        var (chain, messageKey) = RatchetKdf.Chain(state.ChainSend);
        var header = new byte[HeaderBytes];
        state.DhSendPublic.CopyTo(header, 0);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(32), state.PreviousSendCount);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(36), state.SendCount);
        var encryptedHeader = EncryptHeader(state.HeaderSend, header, random);
        var body = EncryptBody(messageKey, plaintext, associatedData, encryptedHeader);
        state.ChainSend = chain;
        state.SendCount++;
        return new RatchetMessage(encryptedHeader, body);
    }

    public static DecryptStatus TryDecrypt(
        RatchetState state, RatchetMessage message, ReadOnlySpan<byte> associatedData, IRandomSource random, out byte[] plaintext)
    {
        var working = state.Clone();
        var status = Decrypt(working, message, associatedData, random, out plaintext);
        if (status == DecryptStatus.Ok)
        {
            state.CopyFrom(working);
        }

        return status;
    }

    /// <summary>
    /// Decrypts into <paramref name="working"/>, a copy the caller owns: on anything but Ok the caller must
    /// discard it. For callers that check more (padding, parsing) before committing, so the state is copied once.
    /// </summary>
    public static DecryptStatus DecryptIntoCopy(
        RatchetState working, RatchetMessage message, ReadOnlySpan<byte> associatedData, IRandomSource random, out byte[] plaintext) =>
        Decrypt(working, message, associatedData, random, out plaintext);

    private static DecryptStatus Decrypt(
        RatchetState state, RatchetMessage message, ReadOnlySpan<byte> associatedData, IRandomSource random, out byte[] plaintext)
    {
        plaintext = [];
        for (var i = 0; i < state.Skipped.Count; i++)
        {
            var skipped = state.Skipped[i];
            if (DecryptHeader(skipped.HeaderKey, message.Header) is { } skippedHeader && Number(skippedHeader) == skipped.Number)
            {
                var opened = DecryptBody(skipped.MessageKey, message.Ciphertext, associatedData, message.Header);
                if (opened is null)
                {
                    return DecryptStatus.Failed;
                }

                state.Skipped.RemoveAt(i);
                plaintext = opened;
                return DecryptStatus.Ok;
            }
        }

        byte[]? header = state.HeaderReceive is null ? null : DecryptHeader(state.HeaderReceive, message.Header);
        var ratchetStep = false;
        if (header is null)
        {
            header = DecryptHeader(state.NextHeaderReceive, message.Header);
            ratchetStep = header is not null;
        }

        if (header is null)
        {
            // A header an earlier chain's key opens is from that chain; any message of it still
            // expected would have been found among the skipped keys above.
            return state.RetiredHeaderKeys.Any(k => DecryptHeader(k, message.Header) is not null)
                ? DecryptStatus.Duplicate
                : DecryptStatus.Failed;
        }

        var number = Number(header);
        if (ratchetStep)
        {
            var previous = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(32));
            if (!SkipMessageKeys(state, previous))
            {
                return DecryptStatus.TooFarAhead;
            }

            if (!RatchetStep(state, header.AsSpan(0, 32), random))
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
        var body = DecryptBody(messageKey, message.Ciphertext, associatedData, message.Header);
        if (body is null)
        {
            return DecryptStatus.Failed;
        }

        state.ChainReceive = chain;
        state.ReceiveCount++;
        plaintext = body;
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

    private static bool RatchetStep(RatchetState state, ReadOnlySpan<byte> theirKey, IRandomSource random)
    {
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

        (state.RootKey, state.ChainReceive, state.NextHeaderReceive) = RatchetKdf.Root(state.RootKey, received);
        (state.DhSendSecret, state.DhSendPublic) = NewDhKey(random);
        var sent = Agree(state.DhSendSecret, theirKey)!;
        (state.RootKey, state.ChainSend, state.NextHeaderSend) = RatchetKdf.Root(state.RootKey, sent);
        return true;
    }

    private static uint Number(byte[] header) => BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(36));

    private static byte[] EncryptHeader(byte[] headerKey, byte[] header, IRandomSource random)
    {
        var output = new byte[NonceBytes + HeaderBytes + Aead.TagBytes];
        random.Fill(output.AsSpan(0, NonceBytes));
        Aead.XChaCha20Poly1305.Encrypt(headerKey, output.AsSpan(0, NonceBytes), header, [], output.AsSpan(NonceBytes));
        return output;
    }

    private static byte[]? DecryptHeader(byte[] headerKey, byte[] encrypted)
    {
        if (encrypted.Length != NonceBytes + HeaderBytes + Aead.TagBytes || headerKey.Length != Aead.KeyBytes)
        {
            return null;
        }

        var header = new byte[HeaderBytes];
        return Aead.XChaCha20Poly1305.TryDecrypt(headerKey, encrypted.AsSpan(0, NonceBytes), encrypted.AsSpan(NonceBytes), [], header)
            ? header
            : null;
    }

    private static byte[] EncryptBody(byte[] messageKey, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, byte[] encryptedHeader)
    {
        var (key, nonce) = RatchetKdf.MessageCipher(messageKey);
        return Aead.XChaCha20Poly1305.Encrypt(key, nonce, plaintext, [.. associatedData, .. encryptedHeader]);
    }

    private static byte[]? DecryptBody(byte[] messageKey, byte[] ciphertext, ReadOnlySpan<byte> associatedData, byte[] encryptedHeader)
    {
        var (key, nonce) = RatchetKdf.MessageCipher(messageKey);
        return Aead.XChaCha20Poly1305.Decrypt(key, nonce, ciphertext, [.. associatedData, .. encryptedHeader]);
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
