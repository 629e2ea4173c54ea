using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Purr.Server.Admin;

/// <summary>
/// Listens on the admin Unix domain socket (mode 0600) and answers one request per connection. A peer running as
/// another user than purrd (root excepted) is refused even if the file mode was loosened. Requests are short and
/// bounded: a line of at most 16 KiB, read within 5 s.
/// </summary>
internal sealed partial class AdminSocket(
    IOptions<AdminOptions> options, AdminCommands commands, IHostApplicationLifetime lifetime, ILogger<AdminSocket> logger) : BackgroundService
{
    private const int MaxRequestBytes = 16 * 1024;
    private const int MaxPathBytes = 107;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);
    private Socket? listener;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var path = options.Value.Socket!;
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        // Only a server that started (listening, store open) gets an admin socket.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        if (Encoding.UTF8.GetByteCount(path) > MaxPathBytes)
        {
            Log.PathTooLong(logger, Encoding.UTF8.GetByteCount(path));
            return;
        }

        if (File.Exists(path))
        {
            if (await IsAnsweredAsync(path))
            {
                // Another purrd runs on this data directory: leave its socket alone (and the operator a warning).
                Log.SocketInUse(logger);
                return;
            }

            // A socket left by a purrd that did not stop cleanly: nobody listens on it any more.
            File.Delete(path);
        }

        listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        listener.Listen(16);
        Log.Listening(logger);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var peer = await listener.AcceptAsync(stoppingToken);
                _ = Task.Run(() => ServeAsync(peer, stoppingToken), CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            listener.Dispose();
            File.Delete(path);
        }
    }

    private static async Task<bool> IsAnsweredAsync(string path)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await probe.ConnectAsync(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private async Task ServeAsync(Socket peer, CancellationToken stoppingToken)
    {
        using (peer)
        await using (var stream = new NetworkStream(peer, ownsSocket: false))
        {
            try
            {
                if (!PeerCredentials.IsSameUserOrRoot(peer))
                {
                    await WriteAsync(stream, """{"ok":false,"error":"refused: the admin socket answers only purrd's own user"}""", stoppingToken);
                    return;
                }

                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(RequestTimeout);
                var line = await ReadLineAsync(stream, timeout.Token);
                var answer = line is null
                    ? """{"ok":false,"error":"the request must be one line of at most 16384 bytes"}"""
                    : (await commands.AnswerAsync(line, timeout.Token)).ToJsonString();
                await WriteAsync(stream, answer, timeout.Token);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
                // The peer went away or was too slow: nothing to answer.
            }
        }
    }

    private static async Task<string?> ReadLineAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxRequestBytes];
        var used = 0;
        while (used < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(used), cancellationToken);
            if (read == 0)
            {
                break;
            }

            var newline = Array.IndexOf(buffer, (byte)'\n', used, read);
            used += read;
            if (newline >= 0)
            {
                return Encoding.UTF8.GetString(buffer, 0, newline);
            }
        }

        return used is > 0 and < MaxRequestBytes ? Encoding.UTF8.GetString(buffer, 0, used) : null;
    }

    private static async Task WriteAsync(NetworkStream stream, string answer, CancellationToken cancellationToken) =>
        await stream.WriteAsync(Encoding.UTF8.GetBytes(answer + "\n"), cancellationToken);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Admin socket ready for purrctl")]
        public static partial void Listening(ILogger logger);

        [LoggerMessage(3, LogLevel.Warning, "No admin socket: another purrd answers on this data directory's socket; two servers must not share a data directory")]
        public static partial void SocketInUse(ILogger logger);

        [LoggerMessage(2, LogLevel.Warning, "No admin socket: its path is {Bytes} bytes, Unix sockets allow 107; set Admin:Socket to a shorter path")]
        public static partial void PathTooLong(ILogger logger, int bytes);
    }
}
