using Purr.Protocol;

namespace Purr.Bench.Targets;

/// <summary>One of the compared servers, started fresh for a scenario.</summary>
internal sealed class ServerUnderTest(string name, ChildProcess process, string host, int port, PurrAddress? purrAddress, string? workDirectory) : IAsyncDisposable
{
    public string Name { get; } = name;

    public ChildProcess Process { get; } = process;

    public string Host { get; } = host;

    public int Port { get; } = port;

    /// <summary>Purr only: its data directory (server.key, for more nodes with the same identity).</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Purr only: the pinned address.</summary>
    public PurrAddress? PurrAddress { get; } = purrAddress;

    public TimeSpan CpuTime() => Process.CpuTime();

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        if (workDirectory is not null)
        {
            try
            {
                Directory.Delete(workDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
