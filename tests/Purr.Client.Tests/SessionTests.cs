using System.Text.Json;
using Google.Protobuf;
using Purr.Client.EndToEnd;
using Purr.Crypto;
using Purr.Crypto.Ratchet;
using Purr.Protocol.V1;

namespace Purr.Client.Tests;

public sealed class SessionTests
{
    private readonly IRandomSource random = SystemRandomSource.Instance;

    [Fact]
    public void Handshake_delivers_the_intro_and_both_sides_can_talk()
    {
        var pair = SessionPair.Create(random);
        Assert.Equal("hello from Bob", pair.Responded.Intro.Text.Text_);

        // The creator answers first from a fresh ratchet key, not the card's prekey (X3DH section 4.3).
        var reply = pair.Creator.Seal(SessionPair.Text("hi Bob", random), random);
        Assert.NotEqual(pair.Card.Body.Prekey.ToByteArray(), pair.Creator.State.DhSendPublic);
        var (status, envelope) = pair.Acceptor.Open(reply, random);
        Assert.Equal(DecryptStatus.Ok, status);
        Assert.Equal("hi Bob", envelope!.Text.Text_);

        var back = pair.Acceptor.Seal(SessionPair.Text("how are you", random), random);
        Assert.Equal("how are you", pair.Creator.Open(back, random).Envelope!.Text.Text_);
    }

    [Fact]
    public void Ciphertexts_are_padded_to_size_buckets()
    {
        var pair = SessionPair.Create(random);
        var small = pair.Acceptor.Seal(SessionPair.Text("a", random), random);
        var larger = pair.Acceptor.Seal(SessionPair.Text(new string('b', 150), random), random);
        Assert.Equal(small.Ciphertext.Length, larger.Ciphertext.Length);
        Assert.Equal(256 + Aead.TagBytes, small.Ciphertext.Length);
    }

    [Fact]
    public void Thousand_messages_each_way_survive_loss_reordering_and_duplication()
    {
        var pair = SessionPair.Create(random);
        var shuffle = new Random(1234);
        var delivered = 0;
        var duplicates = 0;
        foreach (var (sender, receiver) in new[] { (pair.Acceptor, pair.Creator), (pair.Creator, pair.Acceptor) })
        {
            var inFlight = new List<(int Index, RatchetEnvelope Message)>();
            var received = new HashSet<int>();
            for (var i = 0; i < 1000; i++)
            {
                var message = sender.Seal(SessionPair.Text($"message {i}", random), random);
                if (shuffle.NextDouble() < 0.05)
                {
                    continue; // lost
                }

                inFlight.Add((i, message));
                if (shuffle.NextDouble() < 0.05)
                {
                    inFlight.Add((i, message)); // duplicated
                }

                // Deliver a random earlier message now and then: reordering within a window.
                while (inFlight.Count > 8 || (inFlight.Count > 0 && shuffle.NextDouble() < 0.5))
                {
                    var pick = shuffle.Next(inFlight.Count);
                    var (index, envelope) = inFlight[pick];
                    inFlight.RemoveAt(pick);
                    var (status, opened) = receiver.Open(envelope, random);
                    if (received.Add(index))
                    {
                        Assert.Equal(DecryptStatus.Ok, status);
                        Assert.Equal($"message {index}", opened!.Text.Text_);
                        delivered++;
                    }
                    else
                    {
                        Assert.Equal(DecryptStatus.Duplicate, status);
                        duplicates++;
                    }
                }
            }

            foreach (var (index, envelope) in inFlight)
            {
                var (status, _) = receiver.Open(envelope, random);
                Assert.Equal(received.Add(index) ? DecryptStatus.Ok : DecryptStatus.Duplicate, status);
            }

            // Replies still flow after all that.
            var reply = receiver.Seal(SessionPair.Text("still here", random), random);
            Assert.Equal("still here", sender.Open(reply, random).Envelope!.Text.Text_);
        }

        Assert.True(delivered > 1800, $"only {delivered} delivered");
        Assert.True(duplicates > 0);
    }

    [Fact]
    public void Ping_pong_with_many_ratchet_steps_and_late_messages_from_old_chains()
    {
        var pair = SessionPair.Create(random);
        var late = new List<RatchetEnvelope>();
        for (var round = 0; round < 50; round++)
        {
            late.Add(pair.Acceptor.Seal(SessionPair.Text($"late {round}", random), random));
            var now = pair.Acceptor.Seal(SessionPair.Text($"now {round}", random), random);
            Assert.Equal($"now {round}", pair.Creator.Open(now, random).Envelope!.Text.Text_);
            var answer = pair.Creator.Seal(SessionPair.Text($"answer {round}", random), random);
            Assert.Equal($"answer {round}", pair.Acceptor.Open(answer, random).Envelope!.Text.Text_);
        }

        for (var round = 0; round < 50; round++)
        {
            Assert.Equal($"late {round}", pair.Creator.Open(late[round], random).Envelope!.Text.Text_);
        }
    }

    [Fact]
    public void Out_of_order_within_the_skip_limit_decrypts_and_beyond_it_fails_cleanly()
    {
        var pair = SessionPair.Create(random);
        var messages = Enumerable.Range(0, DoubleRatchet.MaxSkip + 3)
            .Select(i => pair.Acceptor.Seal(SessionPair.Text($"m{i}", random), random)).ToList();

        // The intro was message 0 of this chain; message index i here is number i + 1.
        Assert.Equal("m999", pair.Creator.Open(messages[999], random).Envelope!.Text.Text_);
        Assert.Equal("m3", pair.Creator.Open(messages[3], random).Envelope!.Text.Text_);

        var fresh = SessionPair.Create(random);
        var far = Enumerable.Range(0, DoubleRatchet.MaxSkip + 3)
            .Select(i => fresh.Acceptor.Seal(SessionPair.Text($"f{i}", random), random)).ToList();
        var before = Snapshot(fresh.Creator);
        Assert.Equal(DecryptStatus.TooFarAhead, fresh.Creator.Open(far[^1], random).Status);
        Assert.Equal(before, Snapshot(fresh.Creator));
        Assert.Equal("f0", fresh.Creator.Open(far[0], random).Envelope!.Text.Text_);
    }

    [Fact]
    public void Tampered_messages_are_rejected_and_leave_the_session_unchanged()
    {
        var pair = SessionPair.Create(random);
        var message = pair.Acceptor.Seal(SessionPair.Text("genuine", random), random);
        var before = Snapshot(pair.Creator);

        var body = message.Ciphertext.ToByteArray();
        body[10] ^= 0x01;
        var header = message.Header.ToByteArray();
        header[30] ^= 0x01;
        Assert.Equal(DecryptStatus.Failed, pair.Creator.Open(new RatchetEnvelope { Header = message.Header, Ciphertext = ByteString.CopyFrom(body) }, random).Status);
        Assert.Equal(DecryptStatus.Failed, pair.Creator.Open(new RatchetEnvelope { Header = ByteString.CopyFrom(header), Ciphertext = message.Ciphertext }, random).Status);
        Assert.Equal(DecryptStatus.Failed, pair.Creator.Open(new RatchetEnvelope { Header = message.Header }, random).Status);
        Assert.Equal(before, Snapshot(pair.Creator));

        Assert.Equal("genuine", pair.Creator.Open(message, random).Envelope!.Text.Text_);
        Assert.Equal(DecryptStatus.Duplicate, pair.Creator.Open(message, random).Status);
    }

    [Fact]
    public void A_message_from_another_session_does_not_decrypt()
    {
        var one = SessionPair.Create(random);
        var other = SessionPair.Create(random);
        var message = other.Acceptor.Seal(SessionPair.Text("not for you", random), random);
        Assert.Equal(DecryptStatus.Failed, one.Creator.Open(message, random).Status);
    }

    [Fact]
    public void Contact_request_for_another_card_or_tampered_is_refused()
    {
        var secrets = CardSecrets.Generate(random);
        var otherSecrets = CardSecrets.Generate(random);
        var card = Card.Create(secrets, SessionPair.CardMailbox, "Alice", DateTimeOffset.UtcNow.AddDays(1));
        var initiated = ContactHandshake.Initiate(card, SessionPair.Text("hi", random), random);
        Assert.Null(ContactHandshake.Respond(initiated.Request, otherSecrets, random));
        var tampered = initiated.Request.Clone();
        var sealedBytes = tampered.Sealed.ToByteArray();
        sealedBytes[5] ^= 1;
        tampered.Sealed = ByteString.CopyFrom(sealedBytes);
        Assert.Null(ContactHandshake.Respond(tampered, secrets, random));
        Assert.NotNull(ContactHandshake.Respond(initiated.Request, secrets, random));
    }

    [Fact]
    public void Contact_request_reveals_no_identity_key_in_the_clear()
    {
        var pair = SessionPair.Create(random);
        var secrets = CardSecrets.Generate(random);
        var card = Card.Create(secrets, SessionPair.CardMailbox, "Alice", DateTimeOffset.UtcNow.AddDays(1));
        var initiated = ContactHandshake.Initiate(card, SessionPair.Text("hi", random), random);
        var wire = new MailboxPayload { ContactRequest = initiated.Request }.ToByteArray();
        Assert.False(Contains(wire, initiated.Identity.PublicKey));
        Assert.False(Contains(wire, initiated.IdentityDh.PublicKey));
        Assert.False(Contains(wire, secrets.Identity.PublicKey));
        _ = pair;
    }

    [Fact]
    public void Safety_codes_match_on_both_sides_and_differ_between_contacts()
    {
        var pair = SessionPair.Create(random);
        var mine = pair.Card.Body.IdentityKey.ToByteArray();
        var theirs = pair.Responded.PeerIdentity;
        var code = SafetyCode.Compute(mine, theirs);
        Assert.Equal(60, code.Length);
        Assert.All(code, c => Assert.True(char.IsAsciiDigit(c)));
        Assert.Equal(code, SafetyCode.Compute(theirs, mine));
        Assert.NotEqual(code, SafetyCode.Compute(mine, SecureRandom.Bytes(32)));
        Assert.Equal(12, SafetyCode.Format(code).Split(' ').Length);
    }

    internal static string Snapshot(Session session) => JsonSerializer.Serialize(session.State);

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
