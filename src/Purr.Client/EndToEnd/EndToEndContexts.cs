using System.Text;

namespace Purr.Client.EndToEnd;

/// <summary>Context strings of the end-to-end layer (PROTOCOL.md, "End-to-end layer"). Each signature or key has its own.</summary>
public static class EndToEndContexts
{
    public static readonly byte[] Card = Encoding.ASCII.GetBytes("purr/v1 card");
    public static readonly byte[] IdentityDh = Encoding.ASCII.GetBytes("purr/v1 identity dh");
    public static readonly byte[] ContactRequest = Encoding.ASCII.GetBytes("purr/v1 contact request");
    public static readonly byte[] PqContactRequest = Encoding.ASCII.GetBytes("purr/v2 contact request");
    public static readonly byte[] Session = Encoding.ASCII.GetBytes("purr/v1 session");
    public static readonly byte[] Address = Encoding.ASCII.GetBytes("purr/v1 address");
    public static readonly byte[] AddressRequest = Encoding.ASCII.GetBytes("purr/v1 address request");
    public static readonly byte[] PqAddressRequest = Encoding.ASCII.GetBytes("purr/v2 address request");
    public static readonly byte[] DeviceList = Encoding.ASCII.GetBytes("purr/v1 device list");
    public static readonly byte[] OwnDevices = Encoding.ASCII.GetBytes("purr/v1 own devices");
    public static readonly byte[] LinkCode = Encoding.ASCII.GetBytes("purr/v1 link code");

    internal static byte[] With(byte[] context, params ReadOnlySpan<byte[]> parts)
    {
        var length = context.Length + 1 + parts.ToArray().Sum(p => p.Length);
        var bytes = new byte[length];
        context.CopyTo(bytes, 0);
        var offset = context.Length + 1;
        foreach (var part in parts)
        {
            part.CopyTo(bytes, offset);
            offset += part.Length;
        }

        return bytes;
    }
}
