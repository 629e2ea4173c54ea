using System.Text.RegularExpressions;

namespace Purr.Server.Handles;

/// <summary>
/// What a handle may be called: 3 to 32 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit, compared in lower
/// case (so "Alice" and "alice" are one name). Search queries are the same characters plus spaces.
/// </summary>
internal static partial class HandleNames
{
    public const string Rule = "3 to 32 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit";

    /// <summary>The name in lower case, or null when it is not a valid handle.</summary>
    public static string? Normalize(string name)
    {
        var lower = name.Trim().ToLowerInvariant();
        return Valid().IsMatch(lower) ? lower : null;
    }

    /// <summary>A search query in lower case, or null: 1 to 32 characters a handle may have.</summary>
    public static string? NormalizeQuery(string query)
    {
        var lower = query.Trim().ToLowerInvariant();
        return Query().IsMatch(lower) ? lower : null;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{2,31}$", RegexOptions.CultureInvariant)]
    private static partial Regex Valid();

    [GeneratedRegex("^[a-z0-9._-]{1,32}$", RegexOptions.CultureInvariant)]
    private static partial Regex Query();
}
