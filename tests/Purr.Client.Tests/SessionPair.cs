using Google.Protobuf;
using Purr.Client.EndToEnd;
using Purr.Crypto;
using Purr.Protocol.V1;

namespace Purr.Client.Tests;

/// <summary>Two sessions joined by a real card and contact request, with no network in between.</summary>
internal sealed record SessionPair(Session Creator, Session Acceptor, Card Card, RespondedContact Responded)
{
    public static readonly MailboxAddress CardMailbox = new()
    {
        Server = "purr://c15hG8X_Ecb9L_BzECDafPk7Z8O0m0Vn7JGUWrCE6WA@127.0.0.1:7878",
        SendId = ByteString.CopyFrom(Enumerable.Range(1, 16).Select(i => (byte)i).ToArray()),
    };

    /// <param name="classicCard">A version 1 card (no ML-KEM prekey), as clients before PQXDH made them.</param>
    public static SessionPair Create(IRandomSource random, DateTimeOffset? now = null, bool classicCard = false)
    {
        var secrets = classicCard ? CardSecrets.GenerateClassic(random) : CardSecrets.Generate(random);
        var card = Card.Create(secrets, CardMailbox, "Alice", (now ?? DateTimeOffset.UtcNow).AddDays(7));
        var parsed = Card.Parse(card.Link, now ?? DateTimeOffset.UtcNow);
        var intro = Text("hello from Bob", random);
        var initiated = ContactHandshake.Initiate(parsed, intro, random);
        var responded = ContactHandshake.Respond(initiated.Request, secrets, random)
            ?? throw new InvalidOperationException("handshake failed");
        return new SessionPair(responded.Session, initiated.Session, card, responded);
    }

    /// <param name="kemHeaders">Whether the sender says it reads post-quantum headers (every current client does).</param>
    public static Envelope Text(string text, IRandomSource random, bool kemHeaders = false)
    {
        var id = new byte[16];
        random.Fill(id);
        return new Envelope { MessageId = ByteString.CopyFrom(id), SentAt = 1_790_000_000, KemHeaders = kemHeaders, Text = new Protocol.V1.Text { Text_ = text } };
    }
}
