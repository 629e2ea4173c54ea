using Google.Protobuf;
using Purr.Client.EndToEnd;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.V1;

namespace Purr.Client.Tests;

public sealed class CardTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static Card NewCard(TimeSpan? validFor = null)
    {
        using var secrets = CardSecrets.Generate(SystemRandomSource.Instance);
        return Card.Create(secrets, SessionPair.CardMailbox, "Alice", Now + (validFor ?? TimeSpan.FromDays(1)));
    }

    [Fact]
    public void Card_round_trips_through_its_link()
    {
        var card = NewCard();
        Assert.StartsWith("purr:card/", card.Link, StringComparison.Ordinal);
        var parsed = Card.Parse(card.Link + "\n", Now);
        Assert.Equal(card.Body, parsed.Body);
        Assert.Equal(card.Id, parsed.Id);
        Assert.Equal("Alice", parsed.Body.DisplayName);
    }

    [Fact]
    public void Expired_card_is_refused()
    {
        var card = NewCard(TimeSpan.FromMinutes(5));
        var error = Assert.Throws<CardException>(() => Card.Parse(card.Link, Now.AddMinutes(6)));
        Assert.Equal(CardProblem.Expired, error.Problem);
    }

    [Fact]
    public void Tampered_card_is_refused()
    {
        var card = NewCard();
        var signed = SignedCard.Parser.ParseFrom(card.SignedBytes);
        var body = CardBody.Parser.ParseFrom(signed.Body);
        body.DisplayName = "Mallory";
        signed.Body = body.ToByteString();
        var link = Card.LinkPrefix + Base64Url.Encode(signed.ToByteArray());
        Assert.Equal(CardProblem.Tampered, Assert.Throws<CardException>(() => Card.Parse(link, Now)).Problem);
    }

    [Theory]
    [InlineData("hello")]
    [InlineData("purr:card/!!!")]
    [InlineData("purr:card/AAAA")]
    [InlineData("purr://abc@host:1")]
    public void Garbage_is_refused_as_malformed(string text)
    {
        Assert.Equal(CardProblem.Malformed, Assert.Throws<CardException>(() => Card.Parse(text, Now)).Problem);
    }

    [Fact]
    public void Card_with_a_bad_key_length_is_malformed_even_if_signed()
    {
        using var identity = Ed25519KeyPair.Generate();
        var body = new CardBody
        {
            Version = 1, IdentityKey = ByteString.CopyFrom(identity.PublicKey), IdentityDhKey = ByteString.CopyFrom(new byte[5]),
            Prekey = ByteString.CopyFrom(new byte[32]), Mailbox = SessionPair.CardMailbox, ExpiresAt = Now.AddDays(1).ToUnixTimeSeconds(),
        };
        var signed = new SignedCard { Body = body.ToByteString(), Signature = ByteString.CopyFrom(identity.Sign(body.ToByteArray())) };
        Assert.Equal(CardProblem.Malformed, Assert.Throws<CardException>(() => Card.Parse(Card.LinkPrefix + Base64Url.Encode(signed.ToByteArray()), Now)).Problem);
    }

    /// <summary>Each kind of damage names its cause: cut off, mistyped, or a room link given to accept.</summary>
    [Fact]
    public void Damaged_links_name_the_cause()
    {
        var link = NewCard().Link;
        foreach (var cut in new[] { link[..^1], link[..^5], link[..(link.Length / 2)], link[..(Card.LinkPrefix.Length + 3)] })
        {
            var error = Assert.Throws<CardException>(() => Card.Parse(cut, Now));
            Assert.Equal(CardProblem.Malformed, error.Problem);
            Assert.Contains("incomplete", error.Message, StringComparison.Ordinal);
        }

        var typo = link[..^10] + (link[^10] == 'A' ? 'B' : 'A') + link[^9..];
        Assert.Contains("mistyped", Assert.Throws<CardException>(() => Card.Parse(typo, Now)).Message, StringComparison.Ordinal);
        Assert.Contains("room link", Assert.Throws<CardException>(() => Card.Parse("purr:room/abc#def", Now)).Message, StringComparison.Ordinal);
    }
}
