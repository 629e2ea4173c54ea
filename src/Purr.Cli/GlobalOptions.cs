using System.CommandLine;

namespace Purr.Cli;

/// <summary>Options every command takes, anywhere on the line.</summary>
internal static class GlobalOptions
{
    public const string ProfileVariable = "PURR_PROFILE";

    public static readonly Option<string?> Profile = new("--profile")
    {
        Description = $"the profile directory (default: ${ProfileVariable}, else ~/.purr)",
        HelpName = "DIR",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "print one JSON document, for scripts",
        Recursive = true,
    };
}
