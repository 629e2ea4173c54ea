using Google.Protobuf;
using Purr.Client.EndToEnd;
using Purr.Crypto;
using Purr.Crypto.Ratchet;
using Purr.Protocol;
using Purr.Protocol.V1;

namespace Purr.Client.Tests;

/// <summary>
/// PQXDH and the post-quantum ratchet (PROTOCOL.md 10.2 and 10.3): sessions from version 2 cards are
/// post-quantum from the first message, downgrades are refused, classic sessions upgrade when both sides
/// read KEM headers and stay classic with a peer that does not, and a tampered message changes nothing.
/// </summary>
public sealed class PostQuantumSessionTests
{
    private const int ClassicHeader = 24 + DoubleRatchet.HeaderBytes + Aead.TagBytes;
    private const int KemHeader = 24 + DoubleRatchet.KemHeaderBytes + Aead.TagBytes;
    private readonly IRandomSource random = SystemRandomSource.Instance;

    [Fact]
    public void A_version_2_card_gives_a_post_quantum_session_from_the_first_message()
    {
        var pair = SessionPair.Create(random);
        Assert.Equal(Card.Version, pair.Card.Body.Version);
        Assert.Equal(MlKem768.EncapsulationKeyBytes, pair.Card.Body.PqPrekey.Length);
        Assert.True(pair.Creator.IsPostQuantum);
        Assert.True(pair.Acceptor.IsPostQuantum);

        for (var round = 0; round < 3; round++)
        {
            var fromCreator = pair.Creator.Seal(SessionPair.Text($"c{round}", random, kemHeaders: true), random);
            Assert.Equal(KemHeader, fromCreator.Header.Length);
            Assert.Equal($"c{round}", pair.Acceptor.Open(fromCreator, random).Envelope!.Text.Text_);
            var fromAcceptor = pair.Acceptor.Seal(SessionPair.Text($"a{round}", random, kemHeaders: true), random);
            Assert.Equal(KemHeader, fromAcceptor.Header.Length);
            Assert.Equal($"a{round}", pair.Creator.Open(fromAcceptor, random).Envelope!.Text.Text_);
        }

        // Each step brings a fresh KEM key: the keys in two chains differ.
        var before = pair.Creator.State.KemSendPublic;
        pair.Acceptor.Open(pair.Creator.Seal(SessionPair.Text("once more", random), random), random);
        pair.Creator.Open(pair.Acceptor.Seal(SessionPair.Text("again", random), random), random);
        Assert.NotEqual(before, pair.Creator.State.KemSendPublic);
    }

    [Fact]
    public void A_request_without_the_KEM_ciphertext_is_a_downgrade_and_refused()
    {
        var secrets = CardSecrets.Generate(random);
        var card = Card.Create(secrets, SessionPair.CardMailbox, "Alice", DateTimeOffset.UtcNow.AddDays(1));
        var initiated = ContactHandshake.Initiate(card, SessionPair.Text("hi", random), random);

        var stripped = initiated.Request.Clone();
        stripped.KemCiphertext = ByteString.Empty;
        Assert.Null(ContactHandshake.Respond(stripped, secrets, random));

        var changed = initiated.Request.Clone();
        var ciphertext = changed.KemCiphertext.ToByteArray();
        ciphertext[7] ^= 1;
        changed.KemCiphertext = ByteString.CopyFrom(ciphertext);
        Assert.Null(ContactHandshake.Respond(changed, secrets, random));

        // A classic request to this card: made as if the card had no KEM prekey (what an old client would send).
        var classicSecrets = new CardSecrets(secrets.Identity, secrets.IdentityDh, secrets.Prekey);
        var classicCard = Card.Create(classicSecrets, SessionPair.CardMailbox, "Alice", DateTimeOffset.UtcNow.AddDays(1));
        var classicRequest = ContactHandshake.Initiate(classicCard, SessionPair.Text("hi", random), random).Request;
        Assert.Null(ContactHandshake.Respond(classicRequest, secrets, random));

        // ...and a classic card takes no request with a KEM ciphertext.
        Assert.Null(ContactHandshake.Respond(initiated.Request, classicSecrets, random));
        Assert.NotNull(ContactHandshake.Respond(initiated.Request, secrets, random));
    }

    [Fact]
    public void A_card_whose_KEM_prekey_was_stripped_or_swapped_is_refused()
    {
        var secrets = CardSecrets.Generate(random);
        var card = Card.Create(secrets, SessionPair.CardMailbox, "Alice", DateTimeOffset.UtcNow.AddDays(1));
        var signed = SignedCard.Parser.ParseFrom(card.SignedBytes);
        var body = CardBody.Parser.ParseFrom(signed.Body);

        body.PqPrekey = ByteString.Empty;
        var stripped = new SignedCard { Body = body.ToByteString(), Signature = signed.Signature };
        Assert.Equal(CardProblem.Tampered, Assert.Throws<CardException>(() => Card.Parse(Card.LinkPrefix + Base64Url.Encode(stripped.ToByteArray()), DateTimeOffset.UtcNow)).Problem);

        body.PqPrekey = ByteString.CopyFrom(MlKem768.PublicKeyFromSeed(SecureRandom.Bytes(64)));
        var swapped = new SignedCard { Body = body.ToByteString(), Signature = signed.Signature };
        Assert.Equal(CardProblem.Tampered, Assert.Throws<CardException>(() => Card.Parse(Card.LinkPrefix + Base64Url.Encode(swapped.ToByteArray()), DateTimeOffset.UtcNow)).Problem);

        // Re-signed by its own identity but without the key: a version 2 card must have one.
        body.PqPrekey = ByteString.Empty;
        var bodyBytes = body.ToByteArray();
        var resigned = new SignedCard
        {
            Body = ByteString.CopyFrom(bodyBytes),
            Signature = ByteString.CopyFrom(secrets.Identity.Sign([.. EndToEndContexts.Card, 0, .. bodyBytes])),
        };
        Assert.Equal(CardProblem.Malformed, Assert.Throws<CardException>(() => Card.Parse(Card.LinkPrefix + Base64Url.Encode(resigned.ToByteArray()), DateTimeOffset.UtcNow)).Problem);
    }

    [Fact]
    public void A_post_quantum_session_refuses_a_new_chain_without_a_KEM_ciphertext()
    {
        var pair = SessionPair.Create(random);
        pair.Acceptor.Open(pair.Creator.Seal(SessionPair.Text("hi", random), random), random);

        // The acceptor's side stops sending KEM material (what an attacker holding its classic keys would do).
        pair.Acceptor.State.KemEnabled = false;
        var downgraded = pair.Acceptor.Seal(SessionPair.Text("classic again", random), random);
        Assert.Equal(ClassicHeader, downgraded.Header.Length);
        var before = SessionTests.Snapshot(pair.Creator);
        Assert.Equal(DecryptStatus.Failed, pair.Creator.Open(downgraded, random).Status);
        Assert.Equal(before, SessionTests.Snapshot(pair.Creator));
    }

    [Fact]
    public void A_classic_session_upgrades_once_both_sides_read_KEM_headers()
    {
        var pair = SessionPair.Create(random, classicCard: true);
        Assert.Equal(Card.ClassicVersion, pair.Card.Body.Version);
        Assert.True(pair.Card.Body.PqPrekey.IsEmpty);
        Assert.False(pair.Creator.IsPostQuantum);
        Assert.False(pair.Acceptor.IsPostQuantum);

        // The intro came without the flag (SessionPair's); now both say they read KEM headers.
        var rounds = 0;
        while (!(pair.Creator.IsPostQuantum && pair.Acceptor.IsPostQuantum))
        {
            Assert.True(++rounds <= 3, "the upgrade takes at most three round trips");
            var fromCreator = pair.Creator.Seal(SessionPair.Text("c", random, kemHeaders: true), random);
            Assert.Equal(DecryptStatus.Ok, pair.Acceptor.Open(fromCreator, random).Status);
            var fromAcceptor = pair.Acceptor.Seal(SessionPair.Text("a", random, kemHeaders: true), random);
            Assert.Equal(DecryptStatus.Ok, pair.Creator.Open(fromAcceptor, random).Status);
        }

        var last = pair.Creator.Seal(SessionPair.Text("now post-quantum", random, kemHeaders: true), random);
        Assert.Equal(KemHeader, last.Header.Length);
        Assert.Equal("now post-quantum", pair.Acceptor.Open(last, random).Envelope!.Text.Text_);
    }

    [Fact]
    public void A_peer_that_never_says_it_reads_KEM_headers_only_ever_gets_classic_headers()
    {
        var pair = SessionPair.Create(random, classicCard: true);
        for (var round = 0; round < 3; round++)
        {
            // The creator is a current client (it sets the flag); the acceptor is an old one: it neither sets the flag
            // nor keeps any KEM state (this test's Session is current code, so the old client's side is reset by hand).
            var fromCreator = pair.Creator.Seal(SessionPair.Text("c", random, kemHeaders: true), random);
            Assert.Equal(ClassicHeader, fromCreator.Header.Length);
            Assert.Equal(DecryptStatus.Ok, pair.Acceptor.Open(fromCreator, random).Status);
            pair.Acceptor.State.KemEnabled = false;
            pair.Acceptor.State.KemSendSeed = null;
            pair.Acceptor.State.KemSendPublic = null;
            var fromAcceptor = pair.Acceptor.Seal(SessionPair.Text("a", random), random);
            Assert.Equal(ClassicHeader, fromAcceptor.Header.Length);
            Assert.Equal(DecryptStatus.Ok, pair.Creator.Open(fromAcceptor, random).Status);
        }

        Assert.False(pair.Creator.IsPostQuantum);
    }

    [Fact]
    public void A_tampered_post_quantum_message_leaves_the_session_unchanged()
    {
        var pair = SessionPair.Create(random);
        var message = pair.Creator.Seal(SessionPair.Text("hello", random), random);
        foreach (var position in new[] { 30, 24 + 40 + 500, 24 + DoubleRatchet.KemProposalHeaderBytes + 500, KemHeader - 1 })
        {
            var header = message.Header.ToByteArray();
            header[position] ^= 1;
            var before = SessionTests.Snapshot(pair.Acceptor);
            var tampered = new RatchetEnvelope { Header = ByteString.CopyFrom(header), Ciphertext = message.Ciphertext };
            Assert.Equal(DecryptStatus.Failed, pair.Acceptor.Open(tampered, random).Status);
            Assert.Equal(before, SessionTests.Snapshot(pair.Acceptor));
        }

        Assert.Equal("hello", pair.Acceptor.Open(message, random).Envelope!.Text.Text_);
    }
}
