using Google.Protobuf;
using Purr.Protocol;
using Purr.Protocol.V1;

namespace Purr.Client.Rooms;

/// <summary>
/// "purr:room/&lt;base64url(RoomInvite)&gt;#&lt;base64url(room key)&gt;". The part after '#' is the room key:
/// it stays with whoever holds the link and never goes to the server.
/// </summary>
public sealed record RoomLink(RoomInvite Invite, byte[] RoomKey)
{
    public const string Prefix = "purr:room/";
    public const int KeyBytes = 32;

    public override string ToString() => $"{Prefix}{Base64Url.Encode(Invite.ToByteArray())}#{Base64Url.Encode(RoomKey)}";

    public static RoomLink Parse(string text)
    {
        text = text.Trim();
        var hash = text.IndexOf('#', StringComparison.Ordinal);
        if (!text.StartsWith(Prefix, StringComparison.Ordinal) || hash < 0
            || !Base64Url.TryDecode(text[Prefix.Length..hash], out var invite) || !Base64Url.TryDecode(text[(hash + 1)..], out var key)
            || key.Length != KeyBytes)
        {
            throw new PurrClientException("this is not a Purr room link (purr:room/…#…)");
        }

        try
        {
            var parsed = RoomInvite.Parser.ParseFrom(invite);
            if (parsed.RoomId.Length != 16 || !PurrAddress.TryParse(parsed.Server, out _, out _))
            {
                throw new PurrClientException("the room link is damaged");
            }

            return new RoomLink(parsed, key);
        }
        catch (InvalidProtocolBufferException)
        {
            throw new PurrClientException("the room link is damaged");
        }
    }
}
