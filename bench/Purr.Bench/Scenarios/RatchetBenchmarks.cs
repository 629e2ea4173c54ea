using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Purr.Client.EndToEnd;
using Purr.Crypto;
using Purr.Protocol.V1;

namespace Purr.Bench.Scenarios;

/// <summary>S6: Double Ratchet message encryption and decryption (1 KiB text, padded), one core.</summary>
[MemoryDiagnoser]
public class RatchetBenchmarks
{
    private readonly IRandomSource random = SystemRandomSource.Instance;
    private Session sender = null!;
    private Session receiver = null!;
    private Envelope envelope = null!;

    [GlobalSetup]
    public void Setup()
    {
        using var secrets = CardSecrets.Generate(random);
        var card = Card.Create(secrets, new MailboxAddress { Server = "purr://c15hG8X_Ecb9L_BzECDafPk7Z8O0m0Vn7JGUWrCE6WA@127.0.0.1:7878", SendId = ByteString.CopyFrom(new byte[16]) }, "bench", DateTimeOffset.UtcNow.AddDays(1));
        envelope = new Envelope { MessageId = ByteString.CopyFrom(new byte[16]), Text = new Text { Text_ = new string('x', 1000) } };
        var initiated = ContactHandshake.Initiate(card, envelope, random);
        receiver = ContactHandshake.Respond(initiated.Request, secrets, random)!.Session;
        sender = initiated.Session;
    }

    [Benchmark(Description = "encrypt one message")]
    public RatchetEnvelope Encrypt() => sender.Seal(envelope, random);

    [Benchmark(Description = "encrypt + decrypt one message")]
    public Envelope? EncryptDecrypt()
    {
        var sealedMessage = sender.Seal(envelope, random);
        return receiver.Open(sealedMessage, random).Envelope;
    }
}
