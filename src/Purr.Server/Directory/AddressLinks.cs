using Google.Protobuf;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.V1;

namespace Purr.Server.Handles;

/// <summary>
/// The server reads just enough of a contact address (PROTOCOL.md 10.8) to tie a handle to it: the link must be a
/// well-formed purr:address/ whose signature by its address key holds; that key then signs every change to the handle.
/// </summary>
internal static class AddressLinks
{
    private const string Prefix = "purr:address/";
    private static readonly byte[] Context = System.Text.Encoding.ASCII.GetBytes("purr/v1 address");

    /// <summary>The address's key, or null when the link is not a valid, signed contact address.</summary>
    public static byte[]? AddressKey(string link)
    {
        if (!link.StartsWith(Prefix, StringComparison.Ordinal) || !Base64Url.TryDecode(link[Prefix.Length..], out var bytes))
        {
            return null;
        }

        try
        {
            var signed = SignedAddress.Parser.ParseFrom(bytes);
            var body = AddressBody.Parser.ParseFrom(signed.Body);
            if (body.Version is not (1 or 2) || body.AddressKey.Length != Ed25519.PublicKeyBytes || signed.Signature.Length != Ed25519.SignatureBytes)
            {
                return null;
            }

            byte[] message = [.. Context, 0, .. signed.Body.Span];
            return Ed25519.Verify(body.AddressKey.Span, message, signed.Signature.Span) ? body.AddressKey.ToByteArray() : null;
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }
}
