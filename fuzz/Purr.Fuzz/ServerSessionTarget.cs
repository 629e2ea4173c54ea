using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Purr.Core.Mailboxes;
using Purr.Core.Rooms;
using Purr.Crypto;
using Purr.Protocol.Framing;
using Purr.Protocol.V1;
using Purr.Server;
using Purr.Server.Identity;
using Purr.Server.Mailboxes;
using Purr.Server.Modules;
using Purr.Server.Rooms;
using Purr.Server.Routing;
using Purr.Server.Sessions;
using Purr.Server.Transport;
using Purr.Storage.Memory;

namespace Purr.Fuzz;

/// <summary>
/// The whole request path of purrd without a socket: a ProtocolSession (hello, ids, rate, dispatch to the
/// mailbox and room handlers, on the memory store) over a channel that replays the input as frames. The input
/// is a sequence of [u16 big-endian length][frame]; a valid hello goes first so inputs reach the handlers.
/// A handler failure (logged at Error, answered INTERNAL) is a finding: it is thrown so afl-fuzz sees a crash.
/// </summary>
public static class ServerSessionTarget
{
    private static readonly Lazy<ServiceProvider> Services = new(Build);

    public static void Run(byte[] input)
    {
        var services = Services.Value;
        var failures = services.GetRequiredService<FailureLog>();
        var channel = new ReplayChannel([Hello(), .. Frames(input)]);
        var limits = services.GetRequiredService<IOptions<ConnectionLimitsOptions>>().Value;
        var session = new ProtocolSession(
            channel,
            System.Net.IPAddress.Loopback,
            services.GetRequiredService<RequestDispatcher>(),
            services.GetRequiredService<ServerIdentity>(),
            new SessionSettings(limits.MaxFrameBytes, 1_000_000, TimeSpan.FromMinutes(1), services.GetRequiredService<Limits>()),
            services.GetServices<ISessionObserver>(),
            TimeProvider.System,
            services.GetRequiredService<ILoggerFactory>().CreateLogger("Purr.Server.Transport"));
        session.RunAsync(CancellationToken.None).GetAwaiter().GetResult();
        if (failures.TakeAll() is { Count: > 0 } found)
        {
            throw new InvalidOperationException("purrd logged an error for this input: " + string.Join("; ", found));
        }
    }

    /// <summary>Splits the input into frames: [u16 BE length][bytes], the last one cut short if need be.</summary>
    public static IEnumerable<byte[]> Frames(byte[] input)
    {
        var offset = 0;
        while (offset + 2 <= input.Length)
        {
            var length = Math.Min(BinaryPrimitives.ReadUInt16BigEndian(input.AsSpan(offset)), input.Length - offset - 2);
            yield return input.AsSpan(offset + 2, length).ToArray();
            offset += 2 + length;
        }
    }

    /// <summary>Frames back into fuzz input: for writing the seed corpus.</summary>
    internal static byte[] Encode(IEnumerable<byte[]> frames)
    {
        var output = new List<byte>();
        foreach (var frame in frames)
        {
            output.Add((byte)(frame.Length >> 8));
            output.Add((byte)frame.Length);
            output.AddRange(frame);
        }

        return [.. output];
    }

    private static byte[] Hello() => new ClientFrame
    {
        Request = new Request { Id = 1, Hello = new ClientHello { Version = 1, ClientNonce = ByteString.CopyFrom(new byte[32]) } }.ToByteString(),
    }.ToByteArray();

    private static ServiceProvider Build()
    {
        var configuration = new ConfigurationBuilder().Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<FailureLog>();
        services.AddLogging(logging => logging.AddProvider(new FailureLogProvider(services)));
        var mailboxes = new MemoryMailboxStore();
        services.AddSingleton<IMailboxStore>(mailboxes);
        services.AddSingleton<IMailboxBlockStore>(mailboxes);
        services.AddSingleton<IRoomStore, MemoryRoomStore>();
        services.AddSingleton<Purr.Core.Registration.IRegistrationStore, MemoryRegistrationStore>();
        services.AddSingleton<Purr.Core.Handles.IHandleStore, MemoryHandleStore>();
        services.AddSingleton(new ServerIdentity(Ed25519KeyPair.Generate(), X25519KeyPair.Generate()));
        services.AddPurrServer(configuration, [new MailboxModule(), new RoomModule(), new Purr.Server.Handles.DirectoryModule()]);
        var provider = services.BuildServiceProvider();
        FailureLogProvider.Log = provider.GetRequiredService<FailureLog>();
        return provider;
    }

    /// <summary>Error-level log lines (a handler failed): each is a finding.</summary>
    internal sealed class FailureLog
    {
        private readonly List<string> lines = [];

        public void Add(string line)
        {
            lock (lines)
            {
                lines.Add(line);
            }
        }

        public List<string> TakeAll()
        {
            lock (lines)
            {
                var all = lines.ToList();
                lines.Clear();
                return all;
            }
        }
    }

    private sealed class FailureLogProvider(IServiceCollection unused) : ILoggerProvider
    {
        public static FailureLog? Log { get; set; }

        public ILogger CreateLogger(string categoryName) => new FailureLogger();

        public void Dispose() => _ = unused;

        private sealed class FailureLogger : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (logLevel >= LogLevel.Error)
                {
                    FailureLogProvider.Log?.Add(formatter(state, exception));
                }
            }
        }
    }

    /// <summary>A frame channel that hands out the given frames, then a close; what the session writes is dropped.</summary>
    private sealed class ReplayChannel(IReadOnlyList<byte[]> frames) : IFrameChannel, IDisposable
    {
        private readonly CancellationTokenSource closed = new();
        private int next;

        public CancellationToken Closed => closed.Token;

        public ValueTask<Frame> ReadAsync()
        {
            if (closed.IsCancellationRequested)
            {
                throw new OperationCanceledException(closed.Token);
            }

            if (next >= frames.Count)
            {
                return ValueTask.FromResult(new Frame(FrameKind.Close, null, 0));
            }

            var frame = frames[next++];
            var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(frame.Length, 1));
            frame.CopyTo(buffer, 0);
            return ValueTask.FromResult(new Frame(FrameKind.Binary, buffer, frame.Length));
        }

        public bool TryWrite(OutboundFrame frame) => !closed.IsCancellationRequested;

        public ValueTask WriteAsync(OutboundFrame frame, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public void Close(ErrorCode? reason) => closed.Cancel();

        public void Abort() => closed.Cancel();

        public Task ShutdownAsync(TimeSpan grace)
        {
            closed.Cancel();
            return Task.CompletedTask;
        }

        public void Dispose() => closed.Dispose();
    }
}
