using Google.Protobuf;
using Purr.Protocol.V1;
using Purr.Server.Sessions;

namespace Purr.Server.Tests.Sessions;

/// <summary>
/// The server reads a ClientFrame's fields as slices of the received frame (no copy) where the encoding is the common
/// one; whatever it reads must be exactly what protobuf's parser reads, and what protobuf refuses must still be refused.
/// </summary>
public sealed class ClientFrameViewTests
{
    [Fact]
    public void A_frame_as_clients_encode_it_is_sliced_without_a_copy_and_reads_as_protobuf_reads_it()
    {
        var request = new Request { Id = 7, SendMessage = new SendMessage { SendId = ByteString.CopyFrom(new byte[16]), Payload = ByteString.CopyFrom(new byte[1200]) } };
        var frame = new ClientFrame { Request = request.ToByteString(), Signature = ByteString.CopyFrom(Enumerable.Range(0, 64).Select(i => (byte)i).ToArray()) }.ToByteArray();

        Assert.True(ClientFrameView.TrySlice(frame, out var view));
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(view.Request, out var segment));
        Assert.Same(frame, segment.Array);
        AssertSameAsProtobuf(frame);
        Assert.Equal(request, Request.Parser.ParseFrom(view.Request.Span));
    }

    [Fact]
    public void Unknown_fields_other_wire_types_and_long_tags_go_to_protobuf_and_read_the_same()
    {
        var known = new ClientFrame { Request = ByteString.CopyFromUtf8("req"), MailboxSignature = ByteString.CopyFromUtf8("mbx") }.ToByteArray();
        byte[][] frames =
        [
            [.. known, 0x20, 0x05],                       // field 4 as a varint (it is bytes): unknown, kept by protobuf
            [.. known, 0x2A, 0x01, 0xFF],                 // field 5, length-delimited: unknown
            [0x8A, 0x00, 0x02, 0x61, 0x62],               // field 1 with a two-byte tag
            [0x0A, 0x82, 0x00, 0x61, 0x62],               // a two-byte length for 2
            [.. known, .. known],                         // every field twice: the last wins
            [.. known, 0x22, 0x02, 0x6D, 0x61],           // field 4 (mailbox_mac), as clients encode it
            [],                                           // an empty frame: every field empty
        ];
        foreach (var frame in frames)
        {
            AssertSameAsProtobuf(frame);
        }

        Assert.False(ClientFrameView.TrySlice(frames[0], out _));
        Assert.True(ClientFrameView.TrySlice(frames[5], out var withMac));
        Assert.Equal("ma"u8.ToArray(), withMac.MailboxMac.ToArray());
    }

    [Fact]
    public void Truncated_and_malformed_frames_are_refused_as_protobuf_refuses_them()
    {
        byte[][] frames =
        [
            [0x0A, 0x05, 0x61],                           // a length past the end
            [0x0A],                                       // a tag and nothing else
            [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F],         // a length of 2^32 - 1
            [0x0A, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],   // a varint longer than protobuf allows for a length
            [0x00, 0x00],                                 // field 0
            [0x0B],                                       // a group start that never ends
        ];
        foreach (var frame in frames)
        {
            Assert.False(ClientFrameView.TrySlice(frame, out _));
            AssertSameAsProtobuf(frame);
        }
    }

    [Fact]
    public void Random_mutations_of_a_real_frame_read_exactly_as_protobuf_reads_them()
    {
        var random = new Random(20261202);
        var request = new Request { Id = 1, Ack = new Ack { ReceiveId = ByteString.CopyFrom(new byte[16]), MessageId = ByteString.CopyFrom(new byte[16]) } };
        var original = new ClientFrame { Request = request.ToByteString(), Signature = ByteString.CopyFrom(new byte[64]), MailboxSignature = ByteString.CopyFrom(new byte[64]), MailboxMac = ByteString.CopyFrom(new byte[32]) }.ToByteArray();
        var sliced = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var frame = original.AsSpan(0, random.Next(2) == 0 ? original.Length : random.Next(original.Length + 1)).ToArray();
            for (var flips = random.Next(4); flips > 0 && frame.Length > 0; flips--)
            {
                frame[random.Next(frame.Length)] = (byte)random.Next(256);
            }

            sliced += ClientFrameView.TrySlice(frame, out _) ? 1 : 0;
            AssertSameAsProtobuf(frame);
        }

        // Both paths were exercised: many mutations keep the common encoding, many do not.
        Assert.InRange(sliced, 1_000, 19_000);
    }

    private static void AssertSameAsProtobuf(byte[] frame)
    {
        ClientFrame? expected;
        try
        {
            expected = ClientFrame.Parser.ParseFrom(frame);
        }
        catch (InvalidProtocolBufferException)
        {
            expected = null;
        }

        if (expected is null)
        {
            Assert.Throws<InvalidProtocolBufferException>(() => ClientFrameView.Read(frame));
            return;
        }

        var view = ClientFrameView.Read(frame);
        Assert.Equal(expected.Request.ToByteArray(), view.Request.ToArray());
        Assert.Equal(expected.Signature.ToByteArray(), view.Signature.ToArray());
        Assert.Equal(expected.MailboxSignature.ToByteArray(), view.MailboxSignature.ToArray());
        Assert.Equal(expected.MailboxMac.ToByteArray(), view.MailboxMac.ToArray());
    }
}
