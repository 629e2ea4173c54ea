namespace Purr.TestKit;

/// <summary>Finds the repository root (the folder with Purr.slnx) and the shared material beside it.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>../shared relative to the repository root, where the Wycheproof vectors live.</summary>
    public static string Shared => Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    public static string Wycheproof(string file) => Path.Combine(Shared, "vectors", "wycheproof", file);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Purr.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Purr.slnx not found above the test binaries");
    }
}
