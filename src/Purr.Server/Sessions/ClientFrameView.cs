using Google.Protobuf;
using Purr.Protocol.V1;

namespace Purr.Server.Sessions;

/// <summary>
/// A ClientFrame's four fields as slices of the received frame, without the copy protobuf's parser makes of each
/// (for a sent message, a copy of the whole request with its payload). Only the common encoding is read this way:
/// fields 1 to 4, each length-delimited with a one-byte tag. Anything else (an unknown field, another wire type, a
/// long tag) goes to protobuf's own parser, so what is accepted and what is refused is exactly what it decides.
/// </summary>
internal readonly record struct ClientFrameView(
    ReadOnlyMemory<byte> Request, ReadOnlyMemory<byte> Signature, ReadOnlyMemory<byte> MailboxSignature, ReadOnlyMemory<byte> MailboxMac)
{
    private const byte RequestTag = (1 << 3) | 2;
    private const byte SignatureTag = (2 << 3) | 2;
    private const byte MailboxSignatureTag = (3 << 3) | 2;
    private const byte MailboxMacTag = (4 << 3) | 2;

    /// <summary>
    /// The frame's fields, sliced where the encoding is the common one, else parsed and copied by protobuf
    /// (which throws <see cref="InvalidProtocolBufferException"/> for a malformed frame).
    /// </summary>
    public static ClientFrameView Read(ReadOnlyMemory<byte> frame)
    {
        if (TrySlice(frame, out var view))
        {
            return view;
        }

        var parsed = ClientFrame.Parser.ParseFrom(frame.Span);
        return new ClientFrameView(parsed.Request.Memory, parsed.Signature.Memory, parsed.MailboxSignature.Memory, parsed.MailboxMac.Memory);
    }

    /// <summary>Slices the fields when the frame uses only the common encoding; false for anything else, valid or not.</summary>
    internal static bool TrySlice(ReadOnlyMemory<byte> frame, out ClientFrameView view)
    {
        view = default;
        var span = frame.Span;
        ReadOnlyMemory<byte> request = default, signature = default, mailboxSignature = default, mailboxMac = default;
        var offset = 0;
        while (offset < span.Length)
        {
            var tag = span[offset++];
            if (!TryReadLength(span, ref offset, out var length) || length > span.Length - offset)
            {
                return false;
            }

            var field = frame.Slice(offset, length);
            offset += length;
            // As protobuf does for a repeated singular field, the last occurrence wins.
            switch (tag)
            {
                case RequestTag:
                    request = field;
                    break;
                case SignatureTag:
                    signature = field;
                    break;
                case MailboxSignatureTag:
                    mailboxSignature = field;
                    break;
                case MailboxMacTag:
                    mailboxMac = field;
                    break;
                default:
                    return false;
            }
        }

        view = new ClientFrameView(request, signature, mailboxSignature, mailboxMac);
        return true;
    }

    /// <summary>A length as a varint of at most 4 bytes (under 256 MiB, far above any frame limit); false otherwise.</summary>
    private static bool TryReadLength(ReadOnlySpan<byte> span, ref int offset, out int length)
    {
        length = 0;
        for (var shift = 0; shift < 28; shift += 7)
        {
            if (offset >= span.Length)
            {
                return false;
            }

            var b = span[offset++];
            length |= (b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }
}
