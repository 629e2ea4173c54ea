namespace Purr.Server.Transport;

/// <summary>
/// A connection's bounded queue of frames to write, drained in order by at most one writer that runs only while
/// frames wait. An idle connection therefore holds an empty queue and nothing else: no parked writer task, no
/// channel waiters, no cancellation registration (a <see cref="System.Threading.Channels.Channel"/> with a
/// long-running reader cost about 1.5 KiB per idle connection). The drain starts on the thread pool, so the
/// thread that queues a frame (a sender's handler fanning out to a room) never writes to another socket itself.
/// </summary>
/// <remarks>
/// <see cref="WriteAsync"/> waits while the queue is full (back-pressure); <see cref="Complete"/> lets what is
/// queued go out and then runs <see cref="FinishAsync"/> once (a close handshake); <see cref="Stop"/> drops what
/// is queued and releases every waiting writer.
/// </remarks>
internal abstract class OutboundQueue : IThreadPoolWorkItem
{
    private readonly Queue<OutboundFrame> frames = new();
    private readonly int capacity;
    private bool draining;
    private bool completed;
    private bool stopped;
    private TaskCompletionSource? space;
    private TaskCompletionSource? finished;

    protected OutboundQueue(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        this.capacity = capacity;
    }

    /// <summary>Queues a frame without waiting; false when the queue is full or closing.</summary>
    public bool TryWrite(OutboundFrame frame)
    {
        lock (frames)
        {
            if (completed || frames.Count >= capacity)
            {
                return false;
            }

            Enqueue(frame);
            return true;
        }
    }

    /// <summary>Queues a frame, waiting while the queue is full; returns quietly when the queue is closing.</summary>
    public async ValueTask WriteAsync(OutboundFrame frame, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task room;
            lock (frames)
            {
                if (completed)
                {
                    return;
                }

                if (frames.Count < capacity)
                {
                    Enqueue(frame);
                    return;
                }

                space ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                room = space.Task;
            }

            await room.WaitAsync(cancellationToken);
        }
    }

    /// <summary>No more frames: what is queued goes out, then <see cref="FinishAsync"/> runs. Idempotent.</summary>
    public void Complete()
    {
        lock (frames)
        {
            if (completed)
            {
                return;
            }

            completed = true;
            WakeWriters();
            StartDrain();
        }
    }

    /// <summary>Drops what is queued, accepts nothing more and releases waiting writers; <see cref="FinishAsync"/> does not run.</summary>
    public void Stop()
    {
        lock (frames)
        {
            completed = true;
            stopped = true;
            frames.Clear();
            WakeWriters();
            if (!draining)
            {
                finished?.TrySetResult();
            }
        }
    }

    /// <summary>Completes once the queue was completed or stopped and the writer is done with it.</summary>
    public Task Finished
    {
        get
        {
            lock (frames)
            {
                if (completed && !draining)
                {
                    return Task.CompletedTask;
                }

                finished ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return finished.Task;
            }
        }
    }

    /// <summary>Writes one frame; false stops the queue (the connection failed or was aborted).</summary>
    protected abstract ValueTask<bool> SendAsync(OutboundFrame frame);

    /// <summary>Runs once after a completed queue has gone out (not after <see cref="Stop"/>).</summary>
    protected abstract ValueTask FinishAsync();

    void IThreadPoolWorkItem.Execute() => _ = DrainAsync();

    private void Enqueue(OutboundFrame frame)
    {
        frames.Enqueue(frame);
        StartDrain();
    }

    /// <summary>Called under the lock.</summary>
    private void StartDrain()
    {
        if (!draining)
        {
            draining = true;
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    /// <summary>Called under the lock.</summary>
    private void WakeWriters()
    {
        space?.TrySetResult();
        space = null;
    }

    private async Task DrainAsync()
    {
        var finish = false;
        try
        {
            while (true)
            {
                OutboundFrame frame;
                lock (frames)
                {
                    if (!frames.TryDequeue(out frame))
                    {
                        finish = completed && !stopped;
                        if (!completed)
                        {
                            draining = false;
                            return;
                        }

                        break;
                    }

                    WakeWriters();
                }

                if (!await SendAsync(frame))
                {
                    Stop();
                    break;
                }
            }

            if (finish)
            {
                await FinishAsync();
            }
        }
        catch
        {
            // SendAsync and FinishAsync handle the transport's own failures; anything else still frees the writers.
            Stop();
            throw;
        }
        finally
        {
            lock (frames)
            {
                if (completed)
                {
                    draining = false;
                    finished?.TrySetResult();
                }
            }
        }
    }
}
