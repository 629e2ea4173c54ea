using System.Text;
using Purr.Crypto;

namespace Purr.Protocol;

/// <summary>
/// The MACs made with a mailbox key (PROTOCOL.md 4, "Mailbox keys"): BLAKE2b-256 keyed with the 32-byte key over a
/// context string, 0x00 and the fields. The recipient proves the mailbox's key on a request, the server proves it in a
/// hello: a keyed hash each way where a signature and its verification were.
/// </summary>
public static class MailboxMacs
{
    public const int KeyBytes = 32;
    public const int MacBytes = 32;

    /// <summary>The receive id a hello may name (ClientHello.mailbox_id).</summary>
    public const int MailboxIdBytes = 16;

    public static readonly byte[] HelloMacContext = Encoding.ASCII.GetBytes("purr/v1 hello mac");
    public static readonly byte[] RequestMacContext = Encoding.ASCII.GetBytes("purr/v1 mailbox mac");

    /// <summary>The server's proof in HelloAccepted.mac: over session_nonce ‖ client_nonce.</summary>
    public static byte[] Hello(ReadOnlySpan<byte> mailboxKey, ReadOnlySpan<byte> sessionNonce, ReadOnlySpan<byte> clientNonce) =>
        Mac(mailboxKey, HelloMacContext, sessionNonce, clientNonce);

    /// <summary>The recipient's proof in ClientFrame.mailbox_mac: over session_nonce ‖ ClientFrame.request as sent.</summary>
    public static byte[] Request(ReadOnlySpan<byte> mailboxKey, ReadOnlySpan<byte> sessionNonce, ReadOnlySpan<byte> request) =>
        Mac(mailboxKey, RequestMacContext, sessionNonce, request);

    /// <summary>Compares in constant time; a MAC of any length but 32 bytes is simply wrong.</summary>
    public static bool Matches(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> received) =>
        received.Length == MacBytes && ConstantTime.Equal(expected, received);

    private static byte[] Mac(ReadOnlySpan<byte> key, byte[] context, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        if (key.Length != KeyBytes)
        {
            throw new ArgumentException($"a mailbox key is {KeyBytes} bytes", nameof(key));
        }

        var mac = new byte[MacBytes];
        Blake2b.Hash(SignedBytes.Concat(context, first, second), mac, key);
        return mac;
    }
}
