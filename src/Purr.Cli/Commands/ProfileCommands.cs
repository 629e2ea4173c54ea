using System.CommandLine;
using Purr.Client.Profiles;
using Purr.Protocol;
using static Purr.Cli.CommandBuilding;

namespace Purr.Cli.Commands;

internal static class ProfileCommands
{
    private static readonly Option<string?> Server = Text("--server", "the server your mailboxes live on: the purr://KEY@HOST:PORT address purrd printed", "ADDRESS", required: true);
    private static readonly Option<string?> DisplayName = Text("--display-name", "the name your contacts see (each can be told another)", "NAME");
    private static readonly Option<bool> NoPassphrase = Flag("--no-passphrase", "store the profile unencrypted (not recommended)");

    public static Command Init() => new Command("init", "create a profile").With(Server, DisplayName, NoPassphrase).Runs(InitAsync);

    private static Task<int> InitAsync(CliContext context)
    {
        var server = context.Value(Server)!;
        if (!PurrAddress.TryParse(server, out var address, out var error))
        {
            throw new UsageException($"--server: {error}");
        }

        var passphrase = context.Value(NoPassphrase) ? null : Passphrase.NewPassphrase();
        var data = new ProfileData { Server = address.ToString(), DisplayName = context.Value(DisplayName) ?? "" };
        var file = ProfileFile.Create(context.ProfileDirectory, passphrase, data);
        context.Out.Result(
            new { profile = file.Directory, server = data.Server, encrypted = file.IsEncrypted },
            $"profile created in {file.Directory} ({(file.IsEncrypted ? "encrypted" : "NOT encrypted: --no-passphrase")}), server {data.Server}");
        return Task.FromResult(0);
    }
}
