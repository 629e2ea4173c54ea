using System.Buffers;
using System.IO.Pipelines;

namespace Purr.Server.Transport;

/// <summary>
/// A Kestrel connection's pipes as the <see cref="Stream"/> a server WebSocket runs over (<see cref="WebSocketUpgradeMiddleware"/>).
/// Reads copy out of the input pipe; a zero-byte read waits for data without taking any, so an idle connection's
/// WebSocket holds no buffer. Writes go into the output pipe and are flushed at once. Disposing it wakes a pending
/// read (it then throws <see cref="OperationCanceledException"/>); the socket itself is Kestrel's, closed once the
/// connection's middleware returns (after the output pipe has drained) or aborted by the channel's abort. Asynchronous only:
/// the WebSocket never calls the synchronous members.
/// </summary>
internal sealed class ConnectionStream(IDuplexPipe transport) : Stream
{
    private volatile bool disposed;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        var input = transport.Input;
        while (true)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            var result = await input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (result.IsCanceled)
            {
                input.AdvanceTo(buffer.Start);
                throw new OperationCanceledException("the connection's stream was closed");
            }

            if (!buffer.IsEmpty)
            {
                if (destination.IsEmpty)
                {
                    // A zero-byte read: data is there, none is taken.
                    input.AdvanceTo(buffer.Start);
                    return 0;
                }

                var count = (int)Math.Min(buffer.Length, destination.Length);
                buffer.Slice(0, count).CopyTo(destination.Span);
                input.AdvanceTo(buffer.GetPosition(count));
                return count;
            }

            input.AdvanceTo(buffer.End);
            if (result.IsCompleted)
            {
                return 0;
            }
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var flush = await transport.Output.WriteAsync(source, cancellationToken);
        if (flush.IsCanceled)
        {
            throw new OperationCanceledException("the connection's stream was closed");
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
        // Every write is flushed.
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !disposed)
        {
            disposed = true;
            transport.Input.CancelPendingRead();
            transport.Output.CancelPendingFlush();
        }

        base.Dispose(disposing);
    }
}
