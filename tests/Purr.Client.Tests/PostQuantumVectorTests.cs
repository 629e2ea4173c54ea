using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Purr.Client.EndToEnd;
using Purr.Crypto.Ratchet;
using Purr.Protocol.V1;
using Purr.TestKit;

namespace Purr.Client.Tests;

/// <summary>
/// Cross-implementation vectors for the post-quantum layer, committed as Vectors/pq-v1.json, which the browser
/// reproduces byte for byte: (1) a version 2 card, its PQXDH contact request and post-quantum ratchet steps in
/// both directions with a skipped message; (2) a classic (version 1) card whose session upgrades once both sides
/// say they read KEM headers. Regenerate with PURR_WRITE_VECTORS=1 only when the protocol deliberately changes.
/// </summary>
public sealed class PostQuantumVectorTests
{
    private const string FileName = "pq-v1.json";
    private const string Server = "purr://c15hG8X_Ecb9L_BzECDafPk7Z8O0m0Vn7JGUWrCE6WA@127.0.0.1:7878";
    private static readonly DateTimeOffset CreatedAt = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly byte[] CardSendId = [.. Enumerable.Range(0, 16).Select(i => (byte)(0xB0 + i))];
    private static readonly byte[] IntroReplySendId = [.. Enumerable.Repeat((byte)0x11, 16)];
    private static readonly byte[] IntroSenderKey = [.. Enumerable.Repeat((byte)0x42, 32)];

    [Fact]
    public void Vectors_reproduce_byte_for_byte()
    {
        var generated = new JsonObject
        {
            ["description"] = "Purr post-quantum vectors v1: see PostQuantumVectorTests.cs and PROTOCOL.md sections 10.2 and 10.3. "
                + "Random bytes come from SeededRandomSource: block i = HMAC-SHA256(seed, \"purr test random\" || u64be(i)). "
                + "Every envelope is a Text (or the ContactIntro) with kem_headers = true; its message id is the next 16 bytes of the sender's stream.",
            ["now"] = CreatedAt.ToUnixTimeSeconds(),
            ["cardMailboxServer"] = Server,
            ["cardMailboxSendId"] = Convert.ToHexStringLower(CardSendId),
            ["introReplyToSendId"] = Convert.ToHexStringLower(IntroReplySendId),
            ["introSenderKey"] = Convert.ToHexStringLower(IntroSenderKey),
            ["postQuantumCard"] = Scenario("pq", classic: false, ["c1", "c2", "a1", "c3", "a2"], skip: ("c1", "c2")),
            ["upgrade"] = Scenario("upgrade", classic: true, ["c1", "a1", "c2", "a2", "c3", "a3"], skip: null),
        };
        var path = Path.Combine(RepositoryPaths.Root, "tests", "Purr.Client.Tests", "Vectors", FileName);
        if (Environment.GetEnvironmentVariable("PURR_WRITE_VECTORS") == "1")
        {
            File.WriteAllText(path, generated.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        }

        var committed = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.True(JsonNode.DeepEquals(committed, generated), "the post-quantum vectors changed; see the test's summary");
    }

    /// <summary>
    /// One scenario: the creator makes a card, the acceptor initiates with an intro, the creator responds; then the
    /// listed messages are sealed in order ("cN" by the creator, "aN" by the acceptor) and each is opened by the other
    /// side at once, except that with <paramref name="skip"/> = (x, y), x is held back and opened right after y.
    /// </summary>
    private static JsonObject Scenario(string name, bool classic, string[] order, (string Held, string After)? skip)
    {
        var creatorSeed = Encoding.ASCII.GetBytes($"purr pq vector seed: {name} creator");
        var acceptorSeed = Encoding.ASCII.GetBytes($"purr pq vector seed: {name} acceptor");
        var creatorRandom = new SeededRandomSource(creatorSeed);
        var acceptorRandom = new SeededRandomSource(acceptorSeed);
        using var secrets = classic ? CardSecrets.GenerateClassic(creatorRandom) : CardSecrets.Generate(creatorRandom);
        var card = Card.Create(secrets, new MailboxAddress { Server = Server, SendId = ByteString.CopyFrom(CardSendId) }, "Alice", CreatedAt.AddDays(7));
        var intro = NewEnvelope(acceptorRandom, 1_793_620_800);
        intro.ContactIntro = new ContactIntro
        {
            ReplyTo = new MailboxAddress { Server = Server, SendId = ByteString.CopyFrom(IntroReplySendId) },
            SenderKey = ByteString.CopyFrom(IntroSenderKey),
            DisplayName = "Bob",
        };
        var initiated = ContactHandshake.Initiate(Card.Parse(card.Link, CreatedAt), intro, acceptorRandom);
        var responded = ContactHandshake.Respond(initiated.Request, secrets, creatorRandom)!;
        var creator = responded.Session;
        var acceptor = initiated.Session;
        var steps = new JsonArray
        {
            new JsonObject { ["after"] = "respond", ["acceptor"] = Snapshot(acceptor.State), ["creator"] = Snapshot(creator.State) },
        };

        var messages = new JsonArray();
        RatchetEnvelope? held = null;
        var sentAt = 1_793_620_900L;
        foreach (var label in order)
        {
            var fromCreator = label[0] == 'c';
            var (sender, senderRandom, receiver, receiverRandom) = fromCreator
                ? (creator, creatorRandom, acceptor, acceptorRandom)
                : (acceptor, acceptorRandom, creator, creatorRandom);
            var plain = NewEnvelope(senderRandom, sentAt++);
            plain.Text = new Text { Text_ = $"{label} from {(fromCreator ? "Alice" : "Bob")}" };
            var sealedMessage = sender.Seal(plain, senderRandom);
            messages.Add(new JsonObject
            {
                ["label"] = label,
                ["envelope"] = Convert.ToHexStringLower(plain.ToByteArray()),
                ["header"] = Convert.ToHexStringLower(sealedMessage.Header.ToByteArray()),
                ["ciphertext"] = Convert.ToHexStringLower(sealedMessage.Ciphertext.ToByteArray()),
            });
            if (skip?.Held == label)
            {
                held = sealedMessage;
                continue;
            }

            Assert.Equal(plain, receiver.Open(sealedMessage, receiverRandom).Envelope);
            if (skip?.After == label)
            {
                Assert.Equal(DecryptStatus.Ok, receiver.Open(held!, receiverRandom).Status);
            }

            steps.Add(new JsonObject { ["after"] = label, ["acceptor"] = Snapshot(acceptor.State), ["creator"] = Snapshot(creator.State) });
        }

        Assert.True(creator.IsPostQuantum && acceptor.IsPostQuantum);
        return new JsonObject
        {
            ["seeds"] = new JsonObject { ["creator"] = Convert.ToHexStringLower(creatorSeed), ["acceptor"] = Convert.ToHexStringLower(acceptorSeed) },
            ["classicCard"] = classic,
            ["order"] = new JsonArray([.. order.Select(o => JsonValue.Create(o))]),
            ["held"] = skip is null ? null : new JsonObject { ["message"] = skip.Value.Held, ["openedAfter"] = skip.Value.After },
            ["card"] = new JsonObject
            {
                ["signedCard"] = Convert.ToHexStringLower(card.SignedBytes),
                ["link"] = card.Link,
            },
            ["contactRequest"] = new JsonObject
            {
                ["introEnvelope"] = Convert.ToHexStringLower(intro.ToByteArray()),
                ["payload"] = Convert.ToHexStringLower(new MailboxPayload { ContactRequest = initiated.Request }.ToByteArray()),
            },
            ["messages"] = messages,
            ["states"] = steps,
        };
    }

    private static JsonObject Snapshot(RatchetState state) => new()
    {
        ["rootKey"] = HexOrNull(state.RootKey),
        ["dhSendPublic"] = HexOrNull(state.DhSendPublic),
        ["chainSend"] = HexOrNull(state.ChainSend),
        ["chainReceive"] = HexOrNull(state.ChainReceive),
        ["sendCount"] = state.SendCount,
        ["receiveCount"] = state.ReceiveCount,
        ["kemEnabled"] = state.KemEnabled,
        ["postQuantum"] = state.PostQuantum,
        ["kemSendSeed"] = HexOrNull(state.KemSendSeed),
        ["kemCiphertext"] = HexOrNull(state.KemCiphertext),
    };

    private static string? HexOrNull(byte[]? bytes) => bytes is null ? null : Convert.ToHexStringLower(bytes);

    private static Envelope NewEnvelope(SeededRandomSource random, long sentAt)
    {
        var id = new byte[16];
        random.Fill(id);
        return new Envelope { MessageId = ByteString.CopyFrom(id), SentAt = sentAt, KemHeaders = true };
    }
}
