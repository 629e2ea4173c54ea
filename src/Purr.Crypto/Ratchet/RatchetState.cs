namespace Purr.Crypto.Ratchet;

/// <summary>
/// The state of one Double Ratchet session with header encryption, named as in Signal's
/// specification. Plain data so the client can persist it in its encrypted profile.
/// Its byte arrays are values: every step assigns new arrays and none is ever written in place, so copies share them.
/// </summary>
public sealed class RatchetState
{
    public byte[] RootKey { get; set; } = [];

    public byte[] DhSendSecret { get; set; } = [];

    public byte[] DhSendPublic { get; set; } = [];

    public byte[]? DhReceive { get; set; }

    public byte[]? ChainSend { get; set; }

    public byte[]? ChainReceive { get; set; }

    public byte[]? HeaderSend { get; set; }

    public byte[]? HeaderReceive { get; set; }

    public byte[] NextHeaderSend { get; set; } = [];

    public byte[] NextHeaderReceive { get; set; } = [];

    public uint SendCount { get; set; }

    public uint ReceiveCount { get; set; }

    public uint PreviousSendCount { get; set; }

    /// <summary>
    /// Whether this side's headers carry ML-KEM-768 keys (the post-quantum ratchet, PROTOCOL.md 10.3): set when the
    /// session began with PQXDH, when the peer said it reads such headers, or when a header from it carried one.
    /// </summary>
    public bool KemEnabled { get; set; }

    /// <summary>Both sides' ML-KEM secrets are in the root chain: from now on a new chain without a KEM ciphertext is refused.</summary>
    public bool PostQuantum { get; set; }

    /// <summary>The 64-byte seed of this side's current ML-KEM-768 key pair; null until it has one.</summary>
    public byte[]? KemSendSeed { get; set; }

    /// <summary>The encapsulation key of that pair, sent in every header of this side's chains.</summary>
    public byte[]? KemSendPublic { get; set; }

    /// <summary>The ciphertext encapsulated to the peer's key at this side's last step, sent in every header of the chain.</summary>
    public byte[]? KemCiphertext { get; set; }

    /// <summary>Message keys of messages skipped so far, oldest first, at most <see cref="DoubleRatchet.MaxStoredSkipped"/>.</summary>
    public List<SkippedMessageKey> Skipped { get; set; } = [];

    /// <summary>Receiving header keys of earlier chains, newest last: a header they open is a duplicate.</summary>
    public List<byte[]> RetiredHeaderKeys { get; set; } = [];

    /// <summary>A copy to work on: the arrays are shared (never written in place), the two lists are new.</summary>
    public RatchetState Clone()
    {
        var copy = (RatchetState)MemberwiseClone();
        copy.Skipped = [.. Skipped];
        copy.RetiredHeaderKeys = [.. RetiredHeaderKeys];
        return copy;
    }

    /// <summary>Takes over every field of <paramref name="other"/> (used to commit a trial decryption).</summary>
    public void CopyFrom(RatchetState other)
    {
        RootKey = other.RootKey;
        DhSendSecret = other.DhSendSecret;
        DhSendPublic = other.DhSendPublic;
        DhReceive = other.DhReceive;
        ChainSend = other.ChainSend;
        ChainReceive = other.ChainReceive;
        HeaderSend = other.HeaderSend;
        HeaderReceive = other.HeaderReceive;
        NextHeaderSend = other.NextHeaderSend;
        NextHeaderReceive = other.NextHeaderReceive;
        SendCount = other.SendCount;
        ReceiveCount = other.ReceiveCount;
        PreviousSendCount = other.PreviousSendCount;
        KemEnabled = other.KemEnabled;
        PostQuantum = other.PostQuantum;
        KemSendSeed = other.KemSendSeed;
        KemSendPublic = other.KemSendPublic;
        KemCiphertext = other.KemCiphertext;
        Skipped = other.Skipped;
        RetiredHeaderKeys = other.RetiredHeaderKeys;
    }
}

public sealed record SkippedMessageKey(byte[] HeaderKey, uint Number, byte[] MessageKey);

/// <summary>An encrypted header and body, as they travel (read in place: opening copies neither).</summary>
public readonly record struct RatchetMessage(ReadOnlyMemory<byte> Header, ReadOnlyMemory<byte> Ciphertext);

public enum DecryptStatus
{
    Ok,

    /// <summary>This message was already decrypted; the session is unchanged.</summary>
    Duplicate,

    /// <summary>Tampered, not for this session, or otherwise undecryptable; the session is unchanged.</summary>
    Failed,

    /// <summary>It would need more than MaxSkip skipped keys; the session is unchanged.</summary>
    TooFarAhead,
}
