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
        var message = DoubleRatchet.Encrypt(State, Padding.Pad(envelope.ToByteArray()), AssociatedData, random);
        return new RatchetEnvelope { Header = ByteString.CopyFrom(message.Header), Ciphertext = ByteString.CopyFrom(message.Ciphertext) };
    }

    /// <summary>Opens a message. On anything but Ok the session is exactly as it was and the envelope is null.</summary>
    public (DecryptStatus Status, Envelope? Envelope) Open(RatchetEnvelope sealedMessage, IRandomSource random)
    {
        var message = new RatchetMessage(sealedMessage.Header.ToByteArray(), sealedMessage.Ciphertext.ToByteArray());
        var working = State.Clone();
        var status = DoubleRatchet.DecryptIntoCopy(working, message, AssociatedData, random, out var padded);
        if (status != DecryptStatus.Ok)
        {
            return (status, null);
        }

        var unpadded = Padding.Unpad(padded);
        Envelope envelope;
        try
        {
            if (unpadded is null)
            {
                return (DecryptStatus.Failed, null);
            }

            envelope = Envelope.Parser.ParseFrom(unpadded);
        }
        catch (InvalidProtocolBufferException)
        {
            return (DecryptStatus.Failed, null);
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
