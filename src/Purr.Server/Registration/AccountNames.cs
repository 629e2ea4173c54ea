using System.Text.RegularExpressions;

namespace Purr.Server.Registration;

/// <summary>What an account name may be: 1 to 64 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit.</summary>
internal static partial class AccountNames
{
    public const int MaxLength = 64;
    public const int MaxPasswordBytes = 256;
    public const int MinPasswordLength = 8;

    public static string? Problem(string name) =>
        ValidName().IsMatch(name) ? null : $"an account name is 1 to {MaxLength} of a-z, 0-9, '.', '_' and '-', starting with a letter or digit";

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex ValidName();
}
