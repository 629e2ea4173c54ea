using Purr.Protocol.V1;
using Purr.Server.Transport;

namespace Purr.Server.Tests.Transports;

/// <summary>
/// The outbound queue every WebSocket connection writes through: order, the bound, back-pressure, the close after
/// what is queued, and a failed or stopped transport that frees every waiting writer.
/// </summary>
public sealed class OutboundQueueTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Frames_go_out_in_the_order_they_were_queued_then_the_finish_runs_once()
    {
        var queue = new RecordingQueue(capacity: 64);
        for (var i = 1; i <= 500; i++)
        {
            await queue.WriteAsync(Frame(i), CancellationToken.None);
        }

        queue.Complete();
        queue.Complete();
        await queue.Finished.WaitAsync(Patience);
        Assert.Equal(Enumerable.Range(1, 500).Select(i => (ulong)i), queue.Sent);
        Assert.Equal(1, queue.Finishes);
        Assert.False(queue.TryWrite(Frame(501)));
    }

    [Fact]
    public async Task A_full_queue_refuses_TryWrite_and_holds_WriteAsync_until_a_frame_goes_out()
    {
        var queue = await HeldAtFirstFrameAsync(capacity: 2);
        // Two more fill the queue behind frame 1.
        Assert.True(queue.TryWrite(Frame(2)));
        Assert.True(queue.TryWrite(Frame(3)));
        Assert.False(queue.TryWrite(Frame(4)));
        var waiting = queue.WriteAsync(Frame(4), CancellationToken.None).AsTask();
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);

        queue.OpenGate();
        await waiting.WaitAsync(Patience);
        queue.Complete();
        await queue.Finished.WaitAsync(Patience);
        Assert.Equal([1UL, 2, 3, 4], queue.Sent);
    }

    [Fact]
    public async Task A_waiting_writer_can_be_cancelled_and_nothing_of_it_is_queued()
    {
        var queue = await HeldAtFirstFrameAsync(capacity: 1);
        Assert.True(queue.TryWrite(Frame(2)));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queue.WriteAsync(Frame(3), cancel.Token).AsTask());

        queue.OpenGate();
        queue.Complete();
        await queue.Finished.WaitAsync(Patience);
        Assert.Equal([1UL, 2], queue.Sent);
    }

    [Fact]
    public async Task A_failed_write_stops_the_queue_frees_waiting_writers_and_skips_the_finish()
    {
        var queue = new RecordingQueue(capacity: 1) { FailAt = 2 };
        await queue.WriteAsync(Frame(1), CancellationToken.None);
        await queue.WriteAsync(Frame(2), CancellationToken.None);
        var writers = Enumerable.Range(3, 5).Select(i => queue.WriteAsync(Frame(i), CancellationToken.None).AsTask()).ToArray();
        await Task.WhenAll(writers).WaitAsync(Patience);
        await queue.Finished.WaitAsync(Patience);
        Assert.Equal([1UL], queue.Sent);
        Assert.Equal(0, queue.Finishes);
        Assert.False(queue.TryWrite(Frame(9)));
    }

    [Fact]
    public async Task Stop_drops_what_is_queued_and_releases_a_writer_waiting_for_room()
    {
        var queue = await HeldAtFirstFrameAsync(capacity: 1);
        Assert.True(queue.TryWrite(Frame(2)));
        var waiting = queue.WriteAsync(Frame(3), CancellationToken.None).AsTask();

        queue.Stop();
        await waiting.WaitAsync(Patience);
        queue.OpenGate();
        await queue.Finished.WaitAsync(Patience);
        Assert.Equal([1UL], queue.Sent);
        Assert.Equal(0, queue.Finishes);
    }

    [Fact]
    public async Task One_writer_at_a_time_and_many_threads_lose_no_frame()
    {
        var queue = new RecordingQueue(capacity: 16);
        var producers = Enumerable.Range(0, 8).Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < 1000; i++)
            {
                await queue.WriteAsync(Frame((ulong)(p * 1000 + i)), CancellationToken.None);
            }
        })).ToArray();
        await Task.WhenAll(producers).WaitAsync(Patience);
        queue.Complete();
        await queue.Finished.WaitAsync(Patience);
        Assert.Equal(8000, queue.Sent.Count);
        // Each producer's frames keep their order.
        foreach (var producer in Enumerable.Range(0, 8))
        {
            var own = queue.Sent.Where(id => id / 1000 == (ulong)producer).ToList();
            Assert.Equal(own.Order(), own);
        }

        Assert.Equal(1, queue.Writers);
    }

    /// <summary>A queue whose writer has taken frame 1 and is held at the gate until the test opens it.</summary>
    private static async Task<RecordingQueue> HeldAtFirstFrameAsync(int capacity)
    {
        var queue = new RecordingQueue(capacity) { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        Assert.True(queue.TryWrite(Frame(1)));
        await queue.Sending.WaitAsync(Patience);
        return queue;
    }

    private static OutboundFrame Frame(ulong id) => new(new ServerFrame { RequestId = id }, null);

    private static OutboundFrame Frame(int id) => Frame((ulong)id);

    /// <summary>Records what it "sends"; can hold a send at a gate or fail one.</summary>
    private sealed class RecordingQueue(int capacity) : OutboundQueue(capacity)
    {
        private readonly TaskCompletionSource sending = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int concurrent;
        private int mostConcurrent;

        public List<ulong> Sent { get; } = [];

        public TaskCompletionSource? Gate { get; init; }

        public int FailAt { get; init; }

        public int Finishes { get; private set; }

        /// <summary>The most writers that ever ran at once.</summary>
        public int Writers => mostConcurrent;

        public Task Sending => sending.Task;

        public void OpenGate() => Gate?.SetResult();

        protected override async ValueTask<bool> SendAsync(OutboundFrame frame)
        {
            var now = Interlocked.Increment(ref concurrent);
            mostConcurrent = Math.Max(mostConcurrent, now);
            try
            {
                sending.TrySetResult();
                if (Gate is { } gate)
                {
                    await gate.Task;
                }

                if (FailAt != 0 && frame.Frame!.RequestId == (ulong)FailAt)
                {
                    return false;
                }

                lock (Sent)
                {
                    Sent.Add(frame.Frame!.RequestId);
                }

                return true;
            }
            finally
            {
                Interlocked.Decrement(ref concurrent);
            }
        }

        protected override ValueTask FinishAsync()
        {
            Finishes++;
            return ValueTask.CompletedTask;
        }
    }
}
