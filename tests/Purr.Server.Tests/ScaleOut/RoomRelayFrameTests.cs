using Purr.Backplane.Redis;
using Purr.Core.Ids;
using Purr.Server.Rooms;

namespace Purr.Server.Tests.ScaleOut;

/// <summary>The room events processes exchange through Redis: read back exactly as written, and nothing else read at all.</summary>
public sealed class RoomRelayFrameTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void A_room_event_is_read_back_as_written(bool ended, bool allExcept)
    {
        var process = Guid.NewGuid();
        byte[][] recipients = [Key(1), Key(2)];
        byte[][] detach = [Key(3)];
        var message = new RoomRelayMessage(OpaqueId.NewRandom(), [9, 8, 7], recipients, detach, ended, allExcept);

        var read = RoomRelayFrame.TryRead(RoomRelayFrame.Write(process, message));

        Assert.NotNull(read);
        Assert.Equal(process, read.Value.Process);
        Assert.Equal(message.RoomId, read.Value.Message.RoomId);
        Assert.Equal(message.Frame, read.Value.Message.Frame);
        Assert.Equal(recipients, read.Value.Message.Recipients);
        Assert.Equal(detach, read.Value.Message.Detach);
        Assert.Equal(ended, read.Value.Message.Ended);
        Assert.Equal(allExcept, read.Value.Message.AllExcept);
    }

    [Fact]
    public void A_beacon_keeps_its_flag_its_members_and_its_sender()
    {
        var process = Guid.NewGuid();
        var beacon = RoomRelayMessage.ConnectedHere(OpaqueId.NewRandom(), [Key(1), Key(2)]);
        var read = RoomRelayFrame.TryRead(RoomRelayFrame.Write(process, beacon));
        Assert.NotNull(read);
        Assert.True(read.Value.Message.Beacon);
        Assert.Equal(process, read.Value.Message.Node);
        Assert.Equal([Key(1), Key(2)], read.Value.Message.Recipients);
        Assert.Empty(read.Value.Message.Frame);
    }

    [Fact]
    public void Short_or_unknown_frames_are_not_read()
    {
        var written = RoomRelayFrame.Write(Guid.NewGuid(), new RoomRelayMessage(OpaqueId.NewRandom(), [], [Key(1)], [], false));
        Assert.Null(RoomRelayFrame.TryRead(written.AsSpan(0, 20)));
        Assert.Null(RoomRelayFrame.TryRead(written.AsSpan(0, written.Length - 1)));
        written[32] = 8;
        Assert.Null(RoomRelayFrame.TryRead(written));
    }

    private static byte[] Key(byte fill) => Enumerable.Repeat(fill, 32).ToArray();
}
