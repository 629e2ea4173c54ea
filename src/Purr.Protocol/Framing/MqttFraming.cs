using System.Security.Cryptography;
using System.Text;

namespace Purr.Protocol.Framing;

/// <summary>
/// The MQTT transport's fixed parts (PROTOCOL.md section 2): per connection a random id naming its two topics,
/// a Noise_NX handshake whose prologue binds that id, then one Noise transport message per frame. An empty
/// plaintext is a keep-alive; an MQTT message with an empty payload ends the connection.
/// </summary>
public static class MqttFraming
{
    /// <summary>16 random bytes in base64url: 22 characters.</summary>
    public const int ConnectionIdChars = 22;

    /// <summary>The server's payload in handshake message 2: its identity key and that key's signature over its X25519 key.</summary>
    public const int ServerProofBytes = 32 + 64;

    public static string NewConnectionId() => Base64Url.Encode(RandomNumberGenerator.GetBytes(16));

    public static bool IsConnectionId(string text) =>
        text.Length == ConnectionIdChars && Base64Url.TryDecode(text, out var bytes) && bytes.Length == 16;

    /// <summary>"purr/v1 mqtt" || 0x00 || the connection id in ASCII: a handshake cannot be moved to another connection's topics.</summary>
    public static byte[] Prologue(string connectionId) => [.. "purr/v1 mqtt\0"u8, .. Encoding.ASCII.GetBytes(connectionId)];
}
