using System.CommandLine;
using Purr.Client.Messaging;
using Purr.Client.Profiles;

namespace Purr.Cli;

/// <summary>What every command gets: its parsed command line, its output, and the profile it works on.</summary>
internal sealed class CliContext(ParseResult parsed)
{
    public ParseResult Parsed { get; } = parsed;

    public Output Out { get; } = new(parsed.GetValue(GlobalOptions.Json));

    public string ProfileDirectory => Parsed.GetValue(GlobalOptions.Profile)
        ?? NonEmpty(Environment.GetEnvironmentVariable(GlobalOptions.ProfileVariable))
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".purr");

    public T? Value<T>(Option<T> option) => Parsed.GetValue(option);

    public T Value<T>(Argument<T> argument) => Parsed.GetValue(argument)!;

    private static string? NonEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    public Messenger OpenMessenger()
    {
        var (file, data) = ProfileFile.Open(ProfileDirectory, () => Passphrase.Get("Passphrase: "));
        return new Messenger(file, data);
    }
}
