using Purr.Client.Profiles;
using Purr.Protocol;

namespace Purr.Cli.Commands;

internal static class ProfileCommands
{
    public static Task<int> InitAsync(CliContext context)
    {
        var line = context.Line;
        line.Expect(0);
        var server = line.Required("--server");
        if (!PurrAddress.TryParse(server, out var address, out var error))
        {
            throw new UsageException($"--server: {error}");
        }

        var passphrase = line.Has("--no-passphrase") ? null : Passphrase.NewPassphrase();
        var data = new ProfileData { Server = address.ToString(), DisplayName = line.Option("--display-name") ?? "" };
        var file = ProfileFile.Create(context.ProfileDirectory, passphrase, data);
        context.Out.Result(
            new { profile = file.Directory, server = data.Server, encrypted = file.IsEncrypted },
            $"profile created in {file.Directory} ({(file.IsEncrypted ? "encrypted" : "NOT encrypted: --no-passphrase")}), server {data.Server}");
        return Task.FromResult(0);
    }
}
