using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Purr.Client.EndToEnd;
using Purr.Crypto;
using Purr.Protocol.V1;

namespace Purr.Bench.Scenarios;

/// <summary>
/// S6: Double Ratchet message encryption and decryption (1 KiB text, padded), one core, for a classic session
/// (version 1 card, classic headers) and a post-quantum one (version 2 card: PQXDH, KEM in every DH step).
/// Sealing and opening on one chain measure the steady flow; a round trip makes every message start a new
/// chain, so it pays the DH step (and, post-quantum, ML-KEM key generation, encapsulation and decapsulation).
/// </summary>
[MemoryDiagnoser]
public class RatchetBenchmarks
{
    private readonly IRandomSource random = SystemRandomSource.Instance;
    private Session sender = null!;
    private Session receiver = null!;
    private Envelope envelope = null!;

    [Params(false, true)]
    public bool PostQuantum { get; set; }

    /// <summary>The encrypted header's length in this session: what the KEM adds to each message.</summary>
    public int HeaderBytes { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        using var secrets = PostQuantum ? CardSecrets.Generate(random) : CardSecrets.GenerateClassic(random);
        var card = Card.Create(secrets, new MailboxAddress { Server = "purr://c15hG8X_Ecb9L_BzECDafPk7Z8O0m0Vn7JGUWrCE6WA@127.0.0.1:7878", SendId = ByteString.CopyFrom(new byte[16]) }, "bench", DateTimeOffset.UtcNow.AddDays(1));
        envelope = new Envelope { MessageId = ByteString.CopyFrom(new byte[16]), KemHeaders = PostQuantum, Text = new Text { Text_ = new string('x', 1000) } };
        var initiated = ContactHandshake.Initiate(card, envelope, random);
        receiver = ContactHandshake.Respond(initiated.Request, secrets, random)!.Session;
        sender = initiated.Session;
        HeaderBytes = sender.Seal(envelope, random).Header.Length;
    }

    [Benchmark(Description = "encrypt one message")]
    public RatchetEnvelope Encrypt() => sender.Seal(envelope, random);

    [Benchmark(Description = "encrypt + decrypt one message")]
    public Envelope? EncryptDecrypt()
    {
        var sealedMessage = sender.Seal(envelope, random);
        return receiver.Open(sealedMessage, random).Envelope;
    }

    [Benchmark(Description = "round trip: two messages, each opening a new chain")]
    public Envelope? RoundTrip()
    {
        receiver.Open(sender.Seal(envelope, random), random);
        return sender.Open(receiver.Seal(envelope, random), random).Envelope;
    }
}
