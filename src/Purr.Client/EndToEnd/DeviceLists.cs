using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using Google.Protobuf;
using Purr.Crypto;
using Purr.Protocol.V1;

namespace Purr.Client.EndToEnd;

/// <summary>
/// The signed lists of PROTOCOL.md 10.10: a person's devices for one contact (under the per-contact identity) and a
/// person's own devices (under the device key its devices share), and the short code two devices show while linking.
/// </summary>
public static class DeviceLists
{
    /// <summary>The most devices one person may list: every message is sealed once per device.</summary>
    public const int MaxDevices = 8;

    /// <summary>A card in a list lives as long as the device: its prekeys are signed prekeys, replaced only with the list.</summary>
    public static readonly TimeSpan CardLifetime = TimeSpan.FromDays(3650);

    public static DeviceList SignContactList(Ed25519KeyPair identity, ulong version, IEnumerable<(uint DeviceId, byte[] Card)> devices) =>
        Sign(identity, version, devices, EndToEndContexts.DeviceList, (b, s) => new DeviceList { Body = b, Signature = s });

    public static OwnDevices SignOwnList(Ed25519KeyPair deviceKey, ulong version, IEnumerable<(uint DeviceId, byte[] Card)> devices) =>
        Sign(deviceKey, version, devices, EndToEndContexts.OwnDevices, (b, s) => new OwnDevices { Body = b, Signature = s });

    /// <summary>A contact's list, checked: signature by <paramref name="identityKey"/>, every card valid and under that key; null if not.</summary>
    public static IReadOnlyList<(uint DeviceId, Card Card)>? OpenContactList(DeviceList list, byte[] identityKey, DateTimeOffset now, out ulong version) =>
        Open(list.Body, list.Signature, identityKey, EndToEndContexts.DeviceList, now, out version);

    public static IReadOnlyList<(uint DeviceId, Card Card)>? OpenOwnList(OwnDevices list, byte[] deviceKey, DateTimeOffset now, out ulong version) =>
        Open(list.Body, list.Signature, deviceKey, EndToEndContexts.OwnDevices, now, out version);

    /// <summary>
    /// The code both devices show while linking: SHA-256("purr/v1 link code" ‖ 0x00 ‖ link identity ‖ new device's
    /// identity), its first 8 bytes big-endian modulo 10^8, as "1234 5678".
    /// </summary>
    public static string LinkCode(byte[] linkIdentityKey, byte[] newDeviceIdentityKey)
    {
        var hash = SHA256.HashData(EndToEndContexts.With(EndToEndContexts.LinkCode, linkIdentityKey, newDeviceIdentityKey));
        var digits = (BinaryPrimitives.ReadUInt64BigEndian(hash) % 100_000_000UL).ToString("D8", CultureInfo.InvariantCulture);
        return digits[..4] + " " + digits[4..];
    }

    private static T Sign<T>(Ed25519KeyPair key, ulong version, IEnumerable<(uint DeviceId, byte[] Card)> devices, byte[] context, Func<ByteString, ByteString, T> make)
    {
        var body = new DeviceListBody { Version = version };
        body.Devices.AddRange(devices.Select(d => new DeviceEntry { DeviceId = d.DeviceId, Card = ByteString.CopyFrom(d.Card) }));
        var bytes = body.ToByteArray();
        return make(ByteString.CopyFrom(bytes), ByteString.CopyFrom(key.Sign(EndToEndContexts.With(context, bytes))));
    }

    private static List<(uint, Card)>? Open(ByteString bodyBytes, ByteString signature, byte[] key, byte[] context, DateTimeOffset now, out ulong version)
    {
        version = 0;
        if (signature.Length != Ed25519.SignatureBytes || !Ed25519.Verify(key, EndToEndContexts.With(context, bodyBytes.ToByteArray()), signature.Span))
        {
            return null;
        }

        DeviceListBody body;
        try
        {
            body = DeviceListBody.Parser.ParseFrom(bodyBytes);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }

        if (body.Devices.Count is 0 or > MaxDevices || body.Devices.Select(d => d.DeviceId).Distinct().Count() != body.Devices.Count
            || body.Devices.Any(d => d.DeviceId == 0))
        {
            return null;
        }

        var entries = new List<(uint, Card)>();
        foreach (var entry in body.Devices)
        {
            try
            {
                var card = Card.FromSignedBytes(entry.Card.ToByteArray(), now);
                if (!card.Body.IdentityKey.Span.SequenceEqual(key))
                {
                    return null;
                }

                entries.Add((entry.DeviceId, card));
            }
            catch (CardException)
            {
                return null;
            }
        }

        version = body.Version;
        return entries;
    }
}
