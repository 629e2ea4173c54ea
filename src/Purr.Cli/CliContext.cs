using Purr.Client.Messaging;
using Purr.Client.Profiles;

namespace Purr.Cli;

/// <summary>What every command gets: its command line, its output, and the profile it works on.</summary>
internal sealed class CliContext(CommandLine line)
{
    public CommandLine Line { get; } = line;

    public Output Out { get; } = new(line.Json);

    public string ProfileDirectory => Line.Option("--profile")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".purr");

    public Messenger OpenMessenger()
    {
        var (file, data) = ProfileFile.Open(ProfileDirectory, () => Passphrase.Get("Passphrase: "));
        return new Messenger(file, data);
    }
}
