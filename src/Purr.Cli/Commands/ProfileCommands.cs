using System.CommandLine;
using Purr.Client;
using Purr.Client.Profiles;
using Purr.Client.Registration;
using Purr.Protocol;
using static Purr.Cli.CommandBuilding;

namespace Purr.Cli.Commands;

internal static class ProfileCommands
{
    private static readonly Option<string?> Server = Text("--server", "the server your mailboxes live on: the purr://KEY@HOST:PORT address purrd printed (an invite names it)", "ADDRESS");
    private static readonly Option<string?> DisplayName = Text("--display-name", "the name your contacts see (each can be told another)", "NAME");
    private static readonly Option<bool> NoPassphrase = Flag("--no-passphrase", "store the profile unencrypted (not recommended)");
    private static readonly Option<string?> Invite = Text("--invite", "an invite link from the server's operator (purr:invite/…): creation tokens for a server that takes invites", "LINK");
    private static readonly Option<bool> ServerPassword = Flag("--server-password", $"the server asks for a password: ask for it (or read ${ServerSecrets.ServerPasswordVariable})");
    private static readonly Option<string?> Account = Text("--account", $"the server has accounts: use this one (its password is asked for, or read from ${ServerSecrets.AccountPasswordVariable})", "NAME");

    public static Command Init() =>
        new Command("init", "create a profile").With(Server, DisplayName, NoPassphrase, Invite, ServerPassword, Account).Runs(InitAsync);

    public static Command Register() =>
        new Command("register", "what a server with a registration policy asks of you: an invite, its password, or an account (without options: what this profile holds)")
            .With(Invite, ServerPassword, Account, Server).Runs(RegisterAsync);

    private static async Task<int> InitAsync(CliContext context)
    {
        var invite = context.Value(Invite) is { } link ? ParseInvite(link) : null;
        var address = ServerAddress(context, invite);
        if (ProfileFile.Exists(context.ProfileDirectory))
        {
            throw new ProfileException($"a profile already exists in {context.ProfileDirectory}");
        }

        var passphrase = context.Value(NoPassphrase) ? null : Passphrase.NewPassphrase();
        var data = new ProfileData { Server = address.ToString(), DisplayName = context.Value(DisplayName) ?? "" };
        var redeemed = 0;
        if (invite is not null)
        {
            // Redeemed before the profile exists, so a bad invite leaves nothing behind.
            await using var connection = await PurrConnection.ConnectAsync(invite.Server);
            using var registration = new ProfileRegistration(data, () => { });
            redeemed = await registration.RedeemAsync(connection, invite);
        }

        Remember(context, data, address);
        var file = ProfileFile.Create(context.ProfileDirectory, passphrase, data);
        context.Out.Result(
            new { profile = file.Directory, server = data.Server, encrypted = file.IsEncrypted, creationTokens = redeemed },
            $"profile created in {file.Directory} ({(file.IsEncrypted ? "encrypted" : "NOT encrypted: --no-passphrase")}), server {data.Server}"
            + (invite is null ? "" : $"\ninvite redeemed: {redeemed} creation tokens, more come from the same invite when these run out"));
        return 0;
    }

    private static async Task<int> RegisterAsync(CliContext context)
    {
        await using var messenger = context.OpenMessenger();
        var invite = context.Value(Invite) is { } link ? ParseInvite(link) : null;
        if (invite is null && !context.Value(ServerPassword) && context.Value(Account) is null)
        {
            var entries = messenger.Data.Registrations.Select(r => new
            {
                server = r.Server,
                serverPassword = r.ServerPassword is not null,
                account = r.AccountName,
                invite = r.InviteSecret is not null,
                creationTokens = r.Tokens.Count,
                inviteTokensLeft = r.InviteTokensLeft,
            }).ToList();
            context.Out.Result(new { registrations = entries }, entries.Count == 0
                ? "this profile holds no registration; servers with an open policy need none"
                : string.Join('\n', entries.Select(e => $"{e.server}: "
                    + string.Join(", ", new[]
                    {
                        e.serverPassword ? "server password" : null,
                        e.account is null ? null : $"account {e.account}",
                        e.invite ? $"invite, {e.creationTokens} creation tokens here and {e.inviteTokensLeft} more in the invite" : null,
                    }.Where(s => s is not null)))));
            return 0;
        }

        var address = ServerAddress(context, invite, fallback: messenger.Data.Server);
        var redeemed = invite is null ? 0 : await messenger.RedeemInviteAsync(invite);
        if (context.Value(ServerPassword))
        {
            messenger.SetServerPassword(address, ServerSecrets.ServerPassword());
        }

        if (context.Value(Account) is { } account)
        {
            messenger.SetAccount(address, account, ServerSecrets.AccountPassword(account));
        }

        context.Out.Result(new { server = address.ToString(), creationTokens = redeemed },
            invite is null ? $"saved for {address}" : $"invite redeemed: {redeemed} creation tokens for {address}");
        return 0;
    }

    /// <summary>The password and account go into the profile before it is first written, like everything else in it.</summary>
    private static void Remember(CliContext context, ProfileData data, PurrAddress address)
    {
        if (context.Value(ServerPassword))
        {
            ProfileRegistration.For(data, address, create: true)!.ServerPassword = ServerSecrets.ServerPassword();
        }

        if (context.Value(Account) is { } account)
        {
            var entry = ProfileRegistration.For(data, address, create: true)!;
            entry.AccountName = account;
            entry.AccountPassword = ServerSecrets.AccountPassword(account);
        }
    }

    private static PurrAddress ServerAddress(CliContext context, InviteLink? invite, string? fallback = null)
    {
        var server = context.Value(Server) ?? invite?.Server.ToString() ?? fallback
            ?? throw new UsageException("--server ADDRESS or --invite LINK is needed: the server your mailboxes live on");
        if (!PurrAddress.TryParse(server, out var address, out var error))
        {
            throw new UsageException($"--server: {error}");
        }

        if (invite is not null && !invite.Server.IdentityKey.AsSpan().SequenceEqual(address.IdentityKey))
        {
            throw new UsageException("the invite is for another server than --server names");
        }

        return address;
    }

    private static InviteLink ParseInvite(string link)
    {
        try
        {
            return InviteLink.Parse(link);
        }
        catch (PurrClientException e)
        {
            throw new UsageException($"--invite: {e.Message}");
        }
    }
}
