using System.Text;
using Google.Protobuf;
using Purr.Client;
using Purr.Client.EndToEnd;
using Purr.Client.Profiles;
using Purr.Client.Rooms;
using Purr.Protocol;
using Purr.Protocol.V1;

namespace Purr.Fuzz;

/// <summary>
/// Every fuzz target: untrusted bytes in, and only the documented refusal out. A target lets an exception
/// through (a crash, to afl-fuzz) when the code under test threw anything it does not document.
/// </summary>
public static class FuzzTargets
{
    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>
    {
        // The server's frame reader, request decoding and dispatch to every module's handlers.
        ["server"] = ServerSessionTarget.Run,

        // purr:// addresses (in configuration, cards, room links, the CLI).
        ["address"] = input => PurrAddress.TryParse(Encoding.UTF8.GetString(input), out _, out _),

        // Card links, as pasted by a person or scanned from a QR code.
        ["card"] = input => Refused<CardException>(() => Card.Parse(Encoding.UTF8.GetString(input), DateTimeOffset.UnixEpoch)),

        // Room links.
        ["room-link"] = input => Refused<PurrClientException>(() => RoomLink.Parse(Encoding.UTF8.GetString(input))),

        // A profile file (its unencrypted form, so the JSON reader is reached).
        ["profile"] = ProfileTarget.Run,

        // The ratchet's decrypt path, on a message from the network.
        ["ratchet"] = RatchetTarget.Run,
    };

    /// <summary>Runs <paramref name="parse"/>; its documented refusal is fine, anything else escapes.</summary>
    internal static void Refused<TException>(Action parse)
        where TException : Exception
    {
        try
        {
            parse();
        }
        catch (TException)
        {
        }
    }
}

internal static class ProfileTarget
{
    private static readonly string Directory = Path.Combine(Path.GetTempPath(), $"purr-fuzz-profile-{Environment.ProcessId}");

    public static void Run(byte[] input)
    {
        System.IO.Directory.CreateDirectory(Directory);
        File.WriteAllBytes(Path.Combine(Directory, "profile.purr"), [.. "PURRPRF1"u8, 0, .. input]);
        FuzzTargets.Refused<ProfileException>(() => ProfileFile.Open(Directory, () => null));
    }
}

internal static class RatchetTarget
{
    private static readonly Lazy<(Session Receiver, byte[] Seed)> Fixture = new(Create);

    public static void Run(byte[] input)
    {
        RatchetEnvelope envelope;
        try
        {
            envelope = RatchetEnvelope.Parser.ParseFrom(input);
        }
        catch (InvalidProtocolBufferException)
        {
            return;
        }

        // A fresh copy of the receiving session for every input; a failed open must leave it as it was.
        var (receiver, _) = Fixture.Value;
        var copy = new Session(receiver.State.Clone(), receiver.AssociatedData);
        copy.Open(envelope, new TestKit.SeededRandomSource([1]));
    }

    /// <summary>The first message a fixed sender seals to a fixed receiver: the seed corpus starts from it.</summary>
    public static byte[] SeedMessage() => Fixture.Value.Seed;

    private static (Session, byte[]) Create()
    {
        var random = new TestKit.SeededRandomSource([7]);
        var secrets = new Crypto.Ratchet.SessionSecrets(Bytes(random, 32), Bytes(random, 32), Bytes(random, 32));
        var prekey = Crypto.X25519KeyPair.FromSecret(Bytes(random, 32));
        var ad = Bytes(random, 64);
        var sender = new Session(Crypto.Ratchet.DoubleRatchet.InitializeInitiator(secrets, prekey.PublicKey, random), ad);
        var receiver = new Session(Crypto.Ratchet.DoubleRatchet.InitializeResponder(secrets, prekey), ad);
        var sealedMessage = sender.Seal(new Envelope { Text = new Text { Text_ = "seed" } }, random);
        return (receiver, sealedMessage.ToByteArray());
    }

    private static byte[] Bytes(Crypto.IRandomSource random, int length)
    {
        var bytes = new byte[length];
        random.Fill(bytes);
        return bytes;
    }
}
