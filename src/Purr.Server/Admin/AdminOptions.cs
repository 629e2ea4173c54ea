namespace Purr.Server.Admin;

public sealed class AdminOptions
{
    public const string Section = "Admin";

    /// <summary>The socket's path; default purrd.sock in the data directory.</summary>
    public string? Socket { get; set; }

    internal static string ResolveSocket(string? configured, string? dataDirectory) =>
        Path.GetFullPath(string.IsNullOrEmpty(configured) ? Path.Combine(dataDirectory ?? "./data", "purrd.sock") : configured, Environment.CurrentDirectory);
}
