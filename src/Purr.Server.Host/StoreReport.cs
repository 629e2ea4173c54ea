using Purr.Server.Modules;

namespace Purr.Server.Host;

/// <summary>The host's part of purrctl status: which store, where, and how large its files are.</summary>
internal sealed class StoreReport(string kind, string dataDirectory) : IOperatorReport
{
    private static readonly string[] SqliteFiles = ["purr.db", "purr.db-wal"];

    public string Section => "store";

    public ValueTask<IReadOnlyDictionary<string, object>> StatusAsync(CancellationToken cancellationToken)
    {
        var files = kind == "sqlite" ? SqliteFiles.Select(f => Path.Combine(dataDirectory, f)).Where(File.Exists) : [];
        return ValueTask.FromResult<IReadOnlyDictionary<string, object>>(new Dictionary<string, object>
        {
            ["kind"] = kind,
            ["dataDirectory"] = dataDirectory,
            ["bytes"] = files.Sum(f => new FileInfo(f).Length),
        });
    }

    public IReadOnlyDictionary<string, object> Settings() => new Dictionary<string, object> { ["kind"] = kind, ["dataDirectory"] = dataDirectory };
}
