using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Purr.Client.EndToEnd;
using Purr.Client.History;
using Purr.Client.Profiles;
using Purr.Client.Rooms;
using Purr.Crypto;
using Purr.Crypto.Ratchet;
using Purr.Protocol.V1;
using Purr.TestKit;

namespace Purr.Client.Tests;

/// <summary>
/// The portable profile (PROTOCOL.md section 9, "Portable profiles") between the CLI and the browser: a profile whose
/// contact holds a real Double Ratchet session mid-conversation, with a room, an address and history, as the export's
/// JSON; and the contact's next message, sealed after the export. The browser's Node tests read the same vector
/// (Vectors/portable-v1.json): they import the JSON, open that message with the imported session, and export the same
/// session back byte for byte.
/// </summary>
public sealed class PortableProfileVectorTests
{
    private const string FileName = "portable-v1.json";
    private const string Server = "purr://c15hG8X_Ecb9L_BzECDafPk7Z8O0m0Vn7JGUWrCE6WA@127.0.0.1:7878";
    private const string OtherServer = "purr://Lo5vcjzvN1kOUB7-XBUpPUDQeRk1yG2RgZc-l6Oky-s@127.0.0.1:7879";
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);

    [Fact]
    public void The_export_json_and_the_contacts_next_message_are_reproducible_and_open_with_the_imported_session()
    {
        var random = new SeededRandomSource(Encoding.ASCII.GetBytes("purr portable profile vector v1."));
        var pair = SessionPair.Create(random, Now);
        var alice = pair.Creator;
        var bob = pair.Acceptor;

        // A conversation under way: Alice opens Bob's intro, both have written, and a DH ratchet step has happened.
        Assert.Equal(DecryptStatus.Ok, bob.Open(alice.Seal(SessionPair.Text("hi Bob", random, kemHeaders: true), random), random).Status);
        Assert.Equal(DecryptStatus.Ok, alice.Open(bob.Seal(SessionPair.Text("hi Alice", random, kemHeaders: true), random), random).Status);

        var data = Profile(alice, random);
        var history = new List<HistoryEntry>
        {
            new("bob", Outgoing: true, "hi Bob", Now, "0101010101010101"),
            new("bob", Outgoing: false, "hi Alice", Now.AddSeconds(5), "0202020202020202", ExpiresAt: Now.AddSeconds(3605)),
            new("den", Outgoing: false, "hello, room", Now.AddSeconds(10), "0303030303030303", Room: true, Sender: "bob"),
        };
        var json = Encoding.UTF8.GetString(PortableProfile.ToJson(data, history));
        var next = bob.Seal(SessionPair.Text("after the move", random, kemHeaders: true), random);

        var generated = new JsonObject
        {
            ["description"] = "Purr portable profile vector v1 (PROTOCOL.md section 9, \"Portable profiles\"): json is an export's JSON (the "
                + "profile file's JSON plus History) for a profile on `server` whose contact \"bob\" holds a live session; next is the "
                + "RatchetEnvelope bob sealed after the export, which the imported session opens to nextText.",
            ["server"] = Server,
            ["json"] = json,
            ["next"] = Convert.ToHexStringLower(next.ToByteArray()),
            ["nextText"] = "after the move",
        };
        var path = Path.Combine(RepositoryPaths.Root, "tests", "Purr.Client.Tests", "Vectors", FileName);
        if (Environment.GetEnvironmentVariable("PURR_WRITE_VECTORS") == "1")
        {
            File.WriteAllText(path, generated.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        }

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(File.ReadAllText(path)), generated), "the portable profile vector changed");

        // The CLI's reader imports the committed JSON and its session opens the next message.
        var committed = JsonNode.Parse(File.ReadAllText(path))!;
        var (imported, importedHistory) = PortableProfile.FromJson(Encoding.UTF8.GetBytes(committed["json"]!.GetValue<string>()), FileName);
        Assert.Equal(3, importedHistory.Count);
        Assert.Equal("hi Alice", importedHistory[1].Text);
        Assert.Equal(("den", true, "bob"), (importedHistory[2].Chat, importedHistory[2].Room, importedHistory[2].Sender));
        var contact = Assert.Single(imported.Contacts);
        var session = new Session(contact.Session, contact.AssociatedData);
        var (status, envelope) = session.Open(RatchetEnvelope.Parser.ParseFrom(Convert.FromHexString(committed["next"]!.GetValue<string>())), random);
        Assert.Equal(DecryptStatus.Ok, status);
        Assert.Equal("after the move", envelope!.Text.Text_);
        Assert.Equal("den", Assert.Single(imported.Rooms).Name);
    }

    [Fact]
    public void An_export_opens_with_the_profiles_passphrase_and_bad_files_are_refused_without_a_profile_left_behind()
    {
        using var directory = new TemporaryDirectory();
        var cheap = new Argon2Cost(1, 8192);
        var data = new ProfileData { Server = Server, DisplayName = "Alice", Contacts = [new ContactRecord { Name = "bob", Session = new RatchetState() }] };
        var file = ProfileFile.Create(Path.Combine(directory.Path, "a"), "correct horse battery", data, cheap);
        var exported = PortableProfile.Export(file, data, [new HistoryEntry("bob", true, "hello", Now, "ab")], () => throw new InvalidOperationException("an encrypted profile needs no new passphrase"));

        var (opened, history) = PortableProfile.Import(exported, "correct horse battery", "the file");
        Assert.Equal("bob", Assert.Single(opened.Contacts).Name);
        Assert.Equal("hello", Assert.Single(history).Text);
        Assert.Contains("wrong passphrase", Assert.Throws<ProfileException>(() => PortableProfile.Import(exported, "wrong", "the file")).Message, StringComparison.Ordinal);
        Assert.Contains("not a Purr profile", Assert.Throws<ProfileException>(() => PortableProfile.Import("hello"u8.ToArray(), "x", "the file")).Message, StringComparison.Ordinal);
        var tampered = (byte[])exported.Clone();
        tampered[^1] ^= 1;
        Assert.Throws<ProfileException>(() => PortableProfile.Import(tampered, "correct horse battery", "the file"));

        // An unencrypted profile's export is sealed under a passphrase chosen for it.
        var plain = ProfileFile.Create(Path.Combine(directory.Path, "b"), null, data);
        var sealedPlain = PortableProfile.Export(plain, data, [], () => "a new passphrase", cheap);
        Assert.Equal("Alice", PortableProfile.Import(sealedPlain, "a new passphrase", "the file").Data.DisplayName);

        // Two contacts with one name, or no server, cannot become a profile.
        var twins = new ProfileData { Server = Server, Contacts = [new ContactRecord { Name = "bob" }, new ContactRecord { Name = "bob" }] };
        Assert.Contains("two with one name", Assert.Throws<ProfileException>(() => PortableProfile.FromJson(PortableProfile.ToJson(twins, []), "f")).Message, StringComparison.Ordinal);
        Assert.Contains("home server", Assert.Throws<ProfileException>(() => PortableProfile.FromJson(PortableProfile.ToJson(new ProfileData(), []), "f")).Message, StringComparison.Ordinal);
        Assert.Contains("damaged history", Assert.Throws<ProfileException>(
            () => PortableProfile.FromJson(Encoding.UTF8.GetBytes($$"""{"Version":1,"Server":"{{Server}}","History":[{"c":"bob","at":"yesterday"}]}"""), "f")).Message, StringComparison.Ordinal);
    }

    private static ProfileData Profile(Session alice, IRandomSource random)
    {
        byte[] Bytes(int length)
        {
            var bytes = new byte[length];
            random.Fill(bytes);
            return bytes;
        }

        MailboxRecordData Mailbox(string server) => new() { Server = server, ReceiveId = Bytes(16), SendId = Bytes(16), RecipientKeySeed = Bytes(32) };
        var roomLink = new RoomLink(
            new RoomInvite { Server = OtherServer, RoomId = ByteString.CopyFrom(Bytes(16)), JoinSecret = ByteString.CopyFrom(Bytes(32)), Kind = RoomKind.Persistent, Name = "den" },
            Bytes(32));
        var keyId = Bytes(8);
        return new ProfileData
        {
            Server = Server,
            DisplayName = "Alice",
            Address = new AddressRecord
            {
                Link = "purr:address/example", AddressKeySeed = Bytes(32), RequestKeySecret = Bytes(32), RequestKemSeed = Bytes(64),
                Mailbox = Mailbox(Server), DisplayName = "Alice", AutoAccept = true, Handle = "alice",
            },
            Contacts =
            [
                new ContactRecord
                {
                    Name = "bob", DisplayName = "Bob", MyIdentitySeed = Bytes(32), TheirIdentityKey = Bytes(32),
                    Session = alice.State, AssociatedData = alice.AssociatedData,
                    Inbox = [Mailbox(Server)],
                    Outbox = new OutboxData { Server = OtherServer, SendId = Bytes(16), SenderKeySeed = Bytes(32) },
                    TheirSenderKey = Bytes(32), Verified = true, SeenMessageIds = ["0202020202020202"], Delivered = ["0101010101010101"],
                    SharePresence = true, PresenceInbox = Mailbox(Server), PresenceInboxKey = Bytes(32),
                    PresenceOutbox = new PresenceOutboxData { Server = OtherServer, SendId = Bytes(16), Key = Bytes(32) },
                    Route = "hops:2", DisappearAfterSeconds = 3600,
                },
            ],
            Rooms =
            [
                new RoomRecord
                {
                    Name = "den",
                    State = new RoomSessionState
                    {
                        Link = roomLink.ToString(), DisplayName = "alice", MemberKeySeed = Bytes(32), DhSecret = Bytes(32), KemSeed = Bytes(64),
                        Keys = new() { [Convert.ToHexStringLower(keyId)] = Bytes(32) }, CurrentKeyId = keyId,
                        Names = new() { [Convert.ToHexStringLower(Bytes(32))] = "bob" },
                        Mailbox = new MailboxInfo(Bytes(16), Bytes(16), 0, 0), MailboxKeySeed = Bytes(32), AwaitingKey = [], DisappearAfterSeconds = 600,
                    },
                },
            ],
            RoomTagSecret = Bytes(32),
            PresenceEnabled = true,
            Presence = PresenceStatus.Away,
            PresenceText = "lunch",
            UsedCards = ["00112233445566778899aabbccddeeff"],
        };
    }
}
