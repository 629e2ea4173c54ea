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
/// Cross-implementation vectors: a card, the contact request, and the first ratchet steps in both
/// directions (with a skipped message), all from seeded randomness, committed as
/// Vectors/e2e-v1.json. Every other implementation (the browser client) must reproduce the bytes.
/// Regenerate with PURR_WRITE_VECTORS=1 only when the protocol deliberately changes.
/// </summary>
public sealed class EndToEndVectorTests
{
    private const string FileName = "e2e-v1.json";
    private const string Server = "purr://c15hG8X_Ecb9L_BzECDafPk7Z8O0m0Vn7JGUWrCE6WA@127.0.0.1:7878";
    private const long IntroSentAt = 1_793_620_800;
    private const long C1SentAt = 1_793_620_860;
    private const long C2SentAt = 1_793_620_861;
    private const long A1SentAt = 1_793_620_920;
    private const string CreatorName = "Alice";
    private const string IntroName = "intro from Bob";
    private const string C1Text = "first from Alice";
    private const string C2Text = "second from Alice";
    private const long C4SentAt = 1_793_621_160;
    private const long A2SentAt = 1_793_620_980;
    private const long C3SentAt = 1_793_621_040;
    private const long A3SentAt = 1_793_621_100;
    private const string A2Text = "Bob, before Alice answers";
    private const string C3Text = "Alice answers";
    private const string A3Text = "Bob, on a new chain";
    private static readonly DateTimeOffset CreatedAt = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan CardLifetime = TimeSpan.FromDays(7);
    private static readonly byte[] CardSendId = [.. Enumerable.Range(0, 16).Select(i => (byte)(0xA0 + i))];
    private static readonly byte[] IntroReplySendId = new byte[16];
    private static readonly byte[] IntroSenderKey = [.. Enumerable.Repeat((byte)0x42, 32)];
    private static readonly byte[] AcceptedSenderKey = [.. Enumerable.Repeat((byte)0x43, 32)];

    [Fact]
    public void Vectors_reproduce_byte_for_byte()
    {
        var generated = Generate();
        var path = Path.Combine(RepositoryPaths.Root, "tests", "Purr.Client.Tests", "Vectors", FileName);
        if (Environment.GetEnvironmentVariable("PURR_WRITE_VECTORS") == "1")
        {
            File.WriteAllText(path, generated.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        }

        var committed = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.True(JsonNode.DeepEquals(committed, generated), "the end-to-end vectors changed; see the test's summary");
    }

    [Fact]
    public void Committed_messages_decrypt_with_the_committed_keys()
    {
        var path = Path.Combine(RepositoryPaths.Root, "tests", "Purr.Client.Tests", "Vectors", FileName);
        var vectors = JsonNode.Parse(File.ReadAllText(path))!;
        var creatorRandom = new SeededRandomSource(Hex(vectors["seeds"]!["creator"]!));
        using var secrets = CardSecrets.GenerateClassic(creatorRandom);
        var card = Card.Parse(vectors["card"]!["link"]!.GetValue<string>(), CreatedAt);
        var request = MailboxPayload.Parser.ParseFrom(Hex(vectors["contactRequest"]!["payload"]!)).ContactRequest;
        var responded = ContactHandshake.Respond(request, secrets, creatorRandom)!;
        Assert.Equal("intro from Bob", responded.Intro.ContactIntro.DisplayName);
        Assert.Equal(card.Body.IdentityKey.ToByteArray(), secrets.Identity.PublicKey);
    }

    private static JsonObject Generate()
    {
        var creatorSeed = Encoding.ASCII.GetBytes("purr vector seed: creator");
        var acceptorSeed = Encoding.ASCII.GetBytes("purr vector seed: acceptor");
        var creatorRandom = new SeededRandomSource(creatorSeed);
        var acceptorRandom = new SeededRandomSource(acceptorSeed);
        var mailbox = new MailboxAddress { Server = Server, SendId = ByteString.CopyFrom(CardSendId) };

        using var secrets = CardSecrets.GenerateClassic(creatorRandom);
        var card = Card.Create(secrets, mailbox, CreatorName, CreatedAt + CardLifetime);

        var intro = Envelope(acceptorRandom, IntroSentAt, e => e.ContactIntro = new ContactIntro
        {
            ReplyTo = new MailboxAddress { Server = Server, SendId = ByteString.CopyFrom(IntroReplySendId) },
            SenderKey = ByteString.CopyFrom(IntroSenderKey),
            DisplayName = IntroName,
        });
        var initiated = ContactHandshake.Initiate(Card.Parse(card.Link, CreatedAt), intro, acceptorRandom);
        var requestPayload = new MailboxPayload { ContactRequest = initiated.Request }.ToByteArray();
        var responded = ContactHandshake.Respond(initiated.Request, secrets, creatorRandom)!;
        var creator = responded.Session;
        var acceptor = initiated.Session;
        var intermediate = new JsonObject
        {
            ["acceptorAfterInitiate"] = Snapshot(acceptor.State),
            ["creatorAfterRespond"] = Snapshot(creator.State),
        };

        // Creator sends two; the acceptor gets the second first (the first is skipped, then arrives).
        var c1Plain = Envelope(creatorRandom, C1SentAt, e => e.Text = new Text { Text_ = C1Text });
        var c2Plain = Envelope(creatorRandom, C2SentAt, e => e.Text = new Text { Text_ = C2Text });
        var c1 = creator.Seal(c1Plain, creatorRandom);
        var c2 = creator.Seal(c2Plain, creatorRandom);
        intermediate["creatorAfterSealingC1C2"] = Snapshot(creator.State);
        Assert.Equal(c2Plain, acceptor.Open(c2, acceptorRandom).Envelope);
        intermediate["acceptorAfterOpeningC2"] = Snapshot(acceptor.State);
        Assert.Equal(c1Plain, acceptor.Open(c1, acceptorRandom).Envelope);
        intermediate["acceptorAfterOpeningC1"] = Snapshot(acceptor.State);
        var a1Plain = Envelope(acceptorRandom, A1SentAt, e => e.Receipt = new Receipt { MessageIds = { c1Plain.MessageId, c2Plain.MessageId } });
        var a1 = acceptor.Seal(a1Plain, acceptorRandom);
        intermediate["acceptorAfterSealingA1"] = Snapshot(acceptor.State);
        Assert.Equal(a1Plain, creator.Open(a1, creatorRandom).Envelope);
        intermediate["creatorAfterOpeningA1"] = Snapshot(creator.State);
        Assert.Equal(DecryptStatus.Duplicate, acceptor.Open(c1, acceptorRandom).Status);

        // Skipping across a DH step: the acceptor sends a2 on its current chain, then answers c3 from a new chain
        // (a3, with PN = 2); the creator gets a3 first, keeps a2's key from the old chain, then opens a2 late,
        // and a1 again is a duplicate found under a retired header key.
        var a2Plain = Envelope(acceptorRandom, A2SentAt, e => e.Text = new Text { Text_ = A2Text });
        var a2 = acceptor.Seal(a2Plain, acceptorRandom);
        var c3Plain = Envelope(creatorRandom, C3SentAt, e => e.Text = new Text { Text_ = C3Text });
        var c3 = creator.Seal(c3Plain, creatorRandom);
        Assert.Equal(c3Plain, acceptor.Open(c3, acceptorRandom).Envelope);
        var a3Plain = Envelope(acceptorRandom, A3SentAt, e => e.Text = new Text { Text_ = A3Text });
        var a3 = acceptor.Seal(a3Plain, acceptorRandom);
        intermediate["acceptorAfterSealingA3"] = Snapshot(acceptor.State);
        Assert.Equal(a3Plain, creator.Open(a3, creatorRandom).Envelope);
        intermediate["creatorAfterOpeningA3"] = Snapshot(creator.State);
        Assert.Equal(a2Plain, creator.Open(a2, creatorRandom).Envelope);
        intermediate["creatorAfterOpeningA2"] = Snapshot(creator.State);
        Assert.Equal(DecryptStatus.Duplicate, creator.Open(a1, creatorRandom).Status);

        // The envelope that completes a contact (sent first in real use; last here, so the earlier vectors stay as they were).
        var c4Plain = Envelope(creatorRandom, C4SentAt, e => e.ContactAccepted = new ContactAccepted
        {
            SenderKey = ByteString.CopyFrom(AcceptedSenderKey),
            DisplayName = CreatorName,
        });
        var c4 = creator.Seal(c4Plain, creatorRandom);
        Assert.Equal(c4Plain, acceptor.Open(c4, acceptorRandom).Envelope);

        return new JsonObject
        {
            ["description"] = "Purr end-to-end vectors v1: see EndToEndVectorTests.cs and PROTOCOL.md section 10. Random bytes come from SeededRandomSource: block i = HMAC-SHA256(seed, \"purr test random\" || u64be(i)).",
            ["seeds"] = new JsonObject { ["creator"] = Convert.ToHexStringLower(creatorSeed), ["acceptor"] = Convert.ToHexStringLower(acceptorSeed) },
            ["now"] = CreatedAt.ToUnixTimeSeconds(),
            ["inputs"] = new JsonObject
            {
                ["note"] = "Everything the steps take besides the seeded random bytes. Steps, in order: the creator makes the card "
                    + "(CardSecrets from the creator's stream, then the card); the acceptor makes the intro envelope (its message id from the "
                    + "acceptor's stream) and initiates the contact from the parsed card; the creator responds; the creator seals c1 then c2 "
                    + "(envelope ids and ratchet draws from the creator's stream); the acceptor opens c2 then c1; the acceptor seals a1, a "
                    + "receipt for c1 and c2; the creator opens a1; the acceptor opens c1 again and must call it a duplicate; the acceptor "
                    + "seals a2; the creator seals c3; the acceptor opens c3 and seals a3; the creator opens a3, then a2, then a1 again "
                    + "(a duplicate under a retired header key); the creator seals c4, a ContactAccepted, and the acceptor opens it.",
                ["cardMailboxServer"] = Server,
                ["cardMailboxSendId"] = Convert.ToHexStringLower(CardSendId),
                ["cardDisplayName"] = CreatorName,
                ["cardExpiresAt"] = (CreatedAt + CardLifetime).ToUnixTimeSeconds(),
                ["introSentAt"] = IntroSentAt,
                ["introReplyToServer"] = Server,
                ["introReplyToSendId"] = Convert.ToHexStringLower(IntroReplySendId),
                ["introSenderKey"] = Convert.ToHexStringLower(IntroSenderKey),
                ["introDisplayName"] = IntroName,
                ["c1"] = new JsonObject { ["sentAt"] = C1SentAt, ["text"] = C1Text },
                ["c2"] = new JsonObject { ["sentAt"] = C2SentAt, ["text"] = C2Text },
                ["a1"] = new JsonObject { ["sentAt"] = A1SentAt, ["receiptFor"] = "c1, c2" },
                ["a2"] = new JsonObject { ["sentAt"] = A2SentAt, ["text"] = A2Text },
                ["c3"] = new JsonObject { ["sentAt"] = C3SentAt, ["text"] = C3Text },
                ["a3"] = new JsonObject { ["sentAt"] = A3SentAt, ["text"] = A3Text },
                ["c4"] = new JsonObject
                {
                    ["sentAt"] = C4SentAt,
                    ["contactAccepted"] = new JsonObject { ["senderKey"] = Convert.ToHexStringLower(AcceptedSenderKey), ["displayName"] = CreatorName },
                },
            },
            ["card"] = new JsonObject
            {
                ["identityKey"] = Convert.ToHexStringLower(secrets.Identity.PublicKey),
                ["identityDhKey"] = Convert.ToHexStringLower(secrets.IdentityDh.PublicKey),
                ["prekey"] = Convert.ToHexStringLower(secrets.Prekey.PublicKey),
                ["signedCard"] = Convert.ToHexStringLower(card.SignedBytes),
                ["link"] = card.Link,
                ["id"] = Convert.ToHexStringLower(card.Id),
            },
            ["contactRequest"] = new JsonObject
            {
                ["introEnvelope"] = Convert.ToHexStringLower(intro.ToByteArray()),
                ["acceptorIdentityKey"] = Convert.ToHexStringLower(initiated.Identity.PublicKey),
                ["acceptorIdentityDhKey"] = Convert.ToHexStringLower(initiated.IdentityDh.PublicKey),
                ["payload"] = Convert.ToHexStringLower(requestPayload),
                ["associatedData"] = Convert.ToHexStringLower(acceptor.AssociatedData),
            },
            ["messages"] = new JsonArray(
                Message("creator", "acceptor", c1Plain, c1, "delivered second (skipped, then caught up)"),
                Message("creator", "acceptor", c2Plain, c2, "delivered first"),
                Message("acceptor", "creator", a1Plain, a1, "after a DH ratchet step"),
                Message("acceptor", "creator", a2Plain, a2, "same chain as a1; delivered after a3, across a DH step"),
                Message("creator", "acceptor", c3Plain, c3, "the creator's new chain"),
                Message("acceptor", "creator", a3Plain, a3, "the acceptor's new chain (PN = 2); delivered before a2"),
                Message("creator", "acceptor", c4Plain, c4, "a ContactAccepted envelope")),
            ["safetyCode"] = SafetyCode.Compute(secrets.Identity.PublicKey, initiated.Identity.PublicKey),
            ["intermediate"] = intermediate,
        };
    }

    /// <summary>The ratchet state's keys and counters after a step, so a wrong implementation can see which step went wrong.</summary>
    private static JsonObject Snapshot(RatchetState state) => new()
    {
        ["rootKey"] = HexOrNull(state.RootKey),
        ["dhSendPublic"] = HexOrNull(state.DhSendPublic),
        ["dhReceive"] = HexOrNull(state.DhReceive),
        ["chainSend"] = HexOrNull(state.ChainSend),
        ["chainReceive"] = HexOrNull(state.ChainReceive),
        ["headerSend"] = HexOrNull(state.HeaderSend),
        ["headerReceive"] = HexOrNull(state.HeaderReceive),
        ["nextHeaderSend"] = HexOrNull(state.NextHeaderSend),
        ["nextHeaderReceive"] = HexOrNull(state.NextHeaderReceive),
        ["sendCount"] = state.SendCount,
        ["receiveCount"] = state.ReceiveCount,
        ["previousSendCount"] = state.PreviousSendCount,
        ["skippedKeys"] = state.Skipped.Count,
    };

    private static string? HexOrNull(byte[]? bytes) => bytes is null ? null : Convert.ToHexStringLower(bytes);

    private static JsonObject Message(string from, string to, Envelope plain, RatchetEnvelope sealedMessage, string note) => new()
    {
        ["from"] = from,
        ["to"] = to,
        ["note"] = note,
        ["envelope"] = Convert.ToHexStringLower(plain.ToByteArray()),
        ["header"] = Convert.ToHexStringLower(sealedMessage.Header.ToByteArray()),
        ["ciphertext"] = Convert.ToHexStringLower(sealedMessage.Ciphertext.ToByteArray()),
    };

    private static Envelope Envelope(SeededRandomSource random, long sentAt, Action<Envelope> fill)
    {
        var id = new byte[16];
        random.Fill(id);
        var envelope = new Envelope { MessageId = ByteString.CopyFrom(id), SentAt = sentAt };
        fill(envelope);
        return envelope;
    }

    private static byte[] Hex(JsonNode node) => Convert.FromHexString(node.GetValue<string>());
}
