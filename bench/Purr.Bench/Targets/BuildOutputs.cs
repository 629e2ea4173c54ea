namespace Purr.Bench.Targets;

/// <summary>Where the servers under test were built (same configuration as the bench itself).</summary>
internal static class BuildOutputs
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    public static string Root { get; } = FindRoot();

    /// <summary>purrd.dll as built here, or PURR_BENCH_PURRD's (another build, to measure before and after in one run).</summary>
    public static string Purrd => Environment.GetEnvironmentVariable("PURR_BENCH_PURRD") is { Length: > 0 } other
        ? other
        : Path.Combine(Root, "src", "Purr.Server.Host", "bin", Configuration, "net10.0", "purrd.dll");

    public static string Relay => Path.Combine(Root, "bench", "Purr.Bench.Relay", "bin", Configuration, "net10.0", "purr-relay.dll");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Purr.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("run the bench from the repository");
    }
}
