using System.Text;
using Purr.Protocol;

namespace Purr.Client.Registration;

/// <summary>
/// An operator's invite: "purr:invite/&lt;base64url(the server's purr:// address)&gt;#&lt;base64url(16-byte secret)&gt;".
/// Redeeming it gives creation tokens for that server.
/// </summary>
public sealed record InviteLink(PurrAddress Server, byte[] Secret)
{
    public const string Prefix = "purr:invite/";
    public const int SecretBytes = 16;

    public static InviteLink Parse(string text)
    {
        text = text.Trim();
        var hash = text.IndexOf('#', StringComparison.Ordinal);
        if (!text.StartsWith(Prefix, StringComparison.Ordinal) || hash < 0
            || !Base64Url.TryDecode(text[Prefix.Length..hash], out var address) || !Base64Url.TryDecode(text[(hash + 1)..], out var secret)
            || secret.Length != SecretBytes || !PurrAddress.TryParse(Encoding.UTF8.GetString(address), out var server, out _))
        {
            throw new PurrClientException("this is not a Purr invite link (purr:invite/…#…); ask the server's operator for the whole link");
        }

        return new InviteLink(server, secret);
    }

    public override string ToString() => $"{Prefix}{Base64Url.Encode(Encoding.UTF8.GetBytes(Server.ToString()))}#{Base64Url.Encode(Secret)}";
}
