using System.Buffers;
using Google.Protobuf;
using Purr.Crypto;
using Purr.Crypto.Ratchet;
using Purr.Protocol.V1;

namespace Purr.Client.EndToEnd;

/// <summary>
/// One contact's Double Ratchet session: seals Envelopes (padded to a size bucket) and opens them.
/// The associated data binds every message to both parties' identity keys.
/// </summary>
public sealed class Session(RatchetState state, byte[] associatedData)
{
    public RatchetState State { get; } = state;

    public byte[] AssociatedData { get; } = associatedData;

    /// <summary>Both sides' ML-KEM secrets protect the session (PQXDH at the start, or the ratchet after an upgrade).</summary>
    public bool IsPostQuantum => State.PostQuantum;

    /// <summary>AD = "purr/v1 session" || 0x00 || initiator Ed25519 ‖ initiator X25519 ‖ responder Ed25519 ‖ responder X25519.</summary>
    public static byte[] BuildAssociatedData(byte[] initiatorIdentity, byte[] initiatorDh, byte[] responderIdentity, byte[] responderDh) =>
        EndToEndContexts.With(EndToEndContexts.Session, initiatorIdentity, initiatorDh, responderIdentity, responderDh);

    public RatchetEnvelope Seal(Envelope envelope, IRandomSource random)
    {
        // The envelope is written straight into the buffer that becomes the ciphertext (padded, with room for the tag) and
        // encrypted in place; the sealed arrays are fresh and never written again, so the ByteStrings wrap them.
        var size = envelope.CalculateSize();
        var paddedLength = Padding.PaddedLength(size);
        // Not zeroed first: the envelope, the padding (marker and zeros) and the tag write every byte of it.
        var body = GC.AllocateUninitializedArray<byte>(paddedLength + Aead.TagBytes);
        envelope.WriteTo(body.AsSpan(0, size));
        Padding.PadInPlace(body.AsSpan(0, paddedLength), size);
        var header = DoubleRatchet.EncryptInPlace(State, body, AssociatedData, random);
        return new RatchetEnvelope { Header = UnsafeByteOperations.UnsafeWrap(header), Ciphertext = UnsafeByteOperations.UnsafeWrap(body) };
    }

    /// <summary>Opens a message. On anything but Ok the session is exactly as it was and the envelope is null.</summary>
    public (DecryptStatus Status, Envelope? Envelope) Open(RatchetEnvelope sealedMessage, IRandomSource random)
    {
        var message = new RatchetMessage(sealedMessage.Header.Memory, sealedMessage.Ciphertext.Memory);
        var working = State.Clone();

        // The padded plaintext lives only until the envelope is parsed out of it: a pooled buffer, cleared on return.
        var length = DoubleRatchet.PlaintextLength(message);
        var padded = ArrayPool<byte>.Shared.Rent(length);
        Envelope envelope;
        try
        {
            var status = DoubleRatchet.DecryptIntoCopy(working, message, AssociatedData, random, padded.AsSpan(0, length));
            if (status != DecryptStatus.Ok)
            {
                return (status, null);
            }

            var unpadded = Padding.UnpaddedLength(padded.AsSpan(0, length));
            if (unpadded < 0)
            {
                return (DecryptStatus.Failed, null);
            }

            envelope = Envelope.Parser.ParseFrom(padded.AsSpan(0, unpadded));
        }
        catch (InvalidProtocolBufferException)
        {
            return (DecryptStatus.Failed, null);
        }
        finally
        {
            // Only the part written holds plaintext (a rented array may be longer).
            padded.AsSpan(0, length).Clear();
            ArrayPool<byte>.Shared.Return(padded);
        }

        // The peer reads post-quantum headers: offer it an ML-KEM key from now on (the session upgrades).
        if (envelope.KemHeaders)
        {
            DoubleRatchet.EnableKem(working, random);
        }

        State.CopyFrom(working);
        return (DecryptStatus.Ok, envelope);
    }
}
