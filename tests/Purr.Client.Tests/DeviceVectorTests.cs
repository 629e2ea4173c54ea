using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Purr.Client.EndToEnd;
using Purr.Crypto;
using Purr.Protocol.V1;
using Purr.TestKit;

namespace Purr.Client.Tests;

/// <summary>
/// Cross-implementation vectors for the device layer (PROTOCOL.md 10.10): two devices' cards under one per-contact
/// identity, the signed device list and list of own devices, the link code, and a session offered to a device's card
/// with the offering side's existing identity and device key. Committed as Vectors/devices-v1.json and reproduced by
/// the browser's Node tests. Regenerate with PURR_WRITE_VECTORS=1 only when the protocol deliberately changes.
/// </summary>
public sealed class DeviceVectorTests
{
    private const string FileName = "devices-v1.json";
    private const long ExpiresAt = 2_108_000_000;

    [Fact]
    public void Device_vectors_reproduce_byte_for_byte_and_check()
    {
        var generated = Generate();
        var path = Path.Combine(RepositoryPaths.Root, "tests", "Purr.Client.Tests", "Vectors", FileName);
        if (Environment.GetEnvironmentVariable("PURR_WRITE_VECTORS") == "1")
        {
            File.WriteAllText(path, generated.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        }

        var committed = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.True(JsonNode.DeepEquals(committed, generated), "the device vectors changed");

        var now = DateTimeOffset.FromUnixTimeSeconds(ExpiresAt - 1);
        var identity = Convert.FromHexString(committed["identity_key"]!.GetValue<string>());
        var list = DeviceList.Parser.ParseFrom(Convert.FromHexString(committed["device_list"]!.GetValue<string>()));
        var entries = DeviceLists.OpenContactList(list, identity, now, out var version);
        Assert.Equal(3UL, version);
        Assert.Equal([0x0a0b0c0du, 0x11223344u], entries!.Select(e => e.DeviceId));
        Assert.Null(DeviceLists.OpenContactList(list, new byte[32], now, out _));
        var tampered = list.Clone();
        tampered.Body = ByteString.CopyFrom([.. list.Body.Span[..^1], (byte)(list.Body.Span[^1] ^ 1)]);
        Assert.Null(DeviceLists.OpenContactList(tampered, identity, now, out _));
        // A list signed for a contact is not a list of own devices, nor the reverse (different contexts).
        Assert.Null(DeviceLists.OpenOwnList(new OwnDevices { Body = list.Body, Signature = list.Signature }, identity, now, out _));
        var own = OwnDevices.Parser.ParseFrom(Convert.FromHexString(committed["own_devices"]!.GetValue<string>()));
        var deviceKey = Ed25519KeyPair.FromSeed(Convert.FromHexString(committed["device_key_seed"]!.GetValue<string>()));
        Assert.Equal(7UL, DeviceLists.OpenOwnList(own, deviceKey.PublicKey, now, out var ownVersion) is { Count: 1 } ? ownVersion : 0);
        deviceKey.Dispose();
        Assert.Equal(committed["link_code"]!.GetValue<string>(), DeviceLists.LinkCode(
            Convert.FromHexString(committed["link_identity_key"]!.GetValue<string>()), Convert.FromHexString(committed["new_device_identity_key"]!.GetValue<string>())));
    }

    private static JsonObject Generate()
    {
        var seed = "purr vector seed: devices"u8.ToArray();
        var random = new SeededRandomSource(seed);
        // The person's per-contact identity, then each device's X25519 identity, prekey and ML-KEM seed, then its inbox send id.
        var identitySeed = Draw(random, 32);
        using var identity = Ed25519KeyPair.FromSeed(identitySeed);
        var devices = new List<(uint Id, byte[] Dh, byte[] Prekey, byte[] Kem, byte[] SendId, string Name)>();
        foreach (var (id, name) in new[] { (0x0a0b0c0du, "phone"), (0x11223344u, "laptop") })
        {
            devices.Add((id, Draw(random, 32), Draw(random, 32), Draw(random, 64), Draw(random, 16), name));
        }

        const string Server = "purr://AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8@127.0.0.1:7443";
        var cards = devices.Select(d =>
        {
            using var secrets = new CardSecrets(Ed25519KeyPair.FromSeed(identitySeed), X25519KeyPair.FromSecret(d.Dh), X25519KeyPair.FromSecret(d.Prekey), d.Kem.ToArray());
            return Card.Create(secrets, new MailboxAddress { Server = Server, SendId = ByteString.CopyFrom(d.SendId) }, d.Name, DateTimeOffset.FromUnixTimeSeconds(ExpiresAt));
        }).ToList();
        var list = DeviceLists.SignContactList(identity, 3, devices.Select((d, i) => (d.Id, cards[i].SignedBytes)));
        var deviceKeySeed = Draw(random, 32);
        using var deviceKey = Ed25519KeyPair.FromSeed(deviceKeySeed);
        // The phone's card for its own devices: the same device keys here, under the device key.
        Card ownCard;
        using (var secrets = new CardSecrets(Ed25519KeyPair.FromSeed(deviceKeySeed), X25519KeyPair.FromSecret(devices[0].Dh), X25519KeyPair.FromSecret(devices[0].Prekey), devices[0].Kem.ToArray()))
        {
            ownCard = Card.Create(secrets, new MailboxAddress { Server = Server, SendId = ByteString.CopyFrom(devices[0].SendId) }, devices[0].Name, DateTimeOffset.FromUnixTimeSeconds(ExpiresAt));
        }

        var own = DeviceLists.SignOwnList(deviceKey, 7, [(devices[0].Id, ownCard.SignedBytes)]);

        // A contact's device (its own identity and device key for this person) offers a session to the laptop's card.
        var contactIdentitySeed = Draw(random, 32);
        var contactDhSecret = Draw(random, 32);
        var intro = new Envelope
        {
            MessageId = ByteString.CopyFrom(Draw(random, 16)),
            SentAt = 1_793_620_800,
            KemHeaders = true,
            DeviceId = 0x55667788,
            ContactIntro = new ContactIntro { ReplyTo = new MailboxAddress { Server = Server, SendId = ByteString.CopyFrom(Draw(random, 16)) }, SenderKey = ByteString.CopyFrom(Draw(random, 32)) },
        };
        var offer = ContactHandshake.Initiate(cards[1], intro, random, contactIdentitySeed, contactDhSecret);
        using (var laptop = new CardSecrets(Ed25519KeyPair.FromSeed(identitySeed), X25519KeyPair.FromSecret(devices[1].Dh), X25519KeyPair.FromSecret(devices[1].Prekey), devices[1].Kem.ToArray()))
        {
            var responded = ContactHandshake.Respond(offer.Request, laptop, random);
            Assert.NotNull(responded);
            Assert.Equal(offer.Identity.PublicKey, responded.PeerIdentity);
            Assert.Equal(0x55667788u, responded.Intro.DeviceId);
        }

        var linkIdentitySeed = Draw(random, 32);
        var newDeviceIdentitySeed = Draw(random, 32);
        using var linkIdentity = Ed25519KeyPair.FromSeed(linkIdentitySeed);
        using var newIdentity = Ed25519KeyPair.FromSeed(newDeviceIdentitySeed);
        var result = new JsonObject
        {
            ["description"] = "Purr device vectors v1: see DeviceVectorTests.cs and PROTOCOL.md 10.10. Random bytes come from SeededRandomSource "
                + "(PROTOCOL.md 10.7), one stream: identity seed (32); per device (phone, laptop): X25519 identity secret (32), prekey "
                + "secret (32), ML-KEM seed (64), inbox send id (16); device key seed (32); the contact's identity seed (32) and X25519 "
                + "identity secret (32); the intro's message id (16), reply-to send id (16) and sender key (32); then the offer "
                + "(ContactHandshake: ephemeral, ML-KEM encapsulation, ratchet keys as in pq-v1.json); then the link identity seed "
                + "and the new device's identity seed (32 each). Cards expire at " + ExpiresAt + ".",
            ["seed"] = Convert.ToHexStringLower(seed),
            ["identity_seed"] = Convert.ToHexStringLower(identitySeed),
            ["identity_key"] = Convert.ToHexStringLower(identity.PublicKey),
            ["server"] = Server,
            ["devices"] = new JsonArray([.. devices.Select((d, i) => new JsonObject
            {
                ["device_id"] = d.Id,
                ["name"] = d.Name,
                ["identity_dh_secret"] = Convert.ToHexStringLower(d.Dh),
                ["prekey_secret"] = Convert.ToHexStringLower(d.Prekey),
                ["kem_seed"] = Convert.ToHexStringLower(d.Kem),
                ["send_id"] = Convert.ToHexStringLower(d.SendId),
                ["card"] = Convert.ToHexStringLower(cards[i].SignedBytes),
            })]),
            ["device_list"] = Convert.ToHexStringLower(list.ToByteArray()),
            ["device_key_seed"] = Convert.ToHexStringLower(deviceKeySeed),
            ["own_card"] = Convert.ToHexStringLower(ownCard.SignedBytes),
            ["own_devices"] = Convert.ToHexStringLower(own.ToByteArray()),
            ["offer"] = new JsonObject
            {
                ["identity_seed"] = Convert.ToHexStringLower(contactIdentitySeed),
                ["identity_dh_secret"] = Convert.ToHexStringLower(contactDhSecret),
                ["intro"] = Convert.ToHexStringLower(intro.ToByteArray()),
                ["contact_request"] = Convert.ToHexStringLower(offer.Request.ToByteArray()),
            },
            ["link_identity_key"] = Convert.ToHexStringLower(linkIdentity.PublicKey),
            ["new_device_identity_key"] = Convert.ToHexStringLower(newIdentity.PublicKey),
            ["link_code"] = DeviceLists.LinkCode(linkIdentity.PublicKey, newIdentity.PublicKey),
        };
        offer.Identity.Dispose();
        offer.IdentityDh.Dispose();
        return result;
    }

    private static byte[] Draw(IRandomSource random, int length)
    {
        var bytes = new byte[length];
        random.Fill(bytes);
        return bytes;
    }
}
