using Purr.Client.Profiles;
using Purr.Client.Registration;
using Purr.Protocol;

namespace Purr.Client.Messaging;

/// <summary>The profile's credentials for servers with a registration policy (PROTOCOL.md, "Registration").</summary>
public sealed partial class Messenger
{
    /// <summary>Keeps the invite and redeems a first batch of tokens now, so a wrong, revoked or used-up invite shows at once.</summary>
    public async Task<int> RedeemInviteAsync(InviteLink invite)
    {
        var connection = await ConnectAsync(invite.Server.ToString());
        return await (ownedRegistration ?? throw new InvalidOperationException("this messenger was given its own registration credentials"))
            .RedeemAsync(connection, invite);
    }

    /// <summary>
    /// A new connection of the caller's own (which disposes it), creating with this profile's credentials; to another
    /// server than the own one, relayed through the own server where it relays (Messenger.Tunnels.cs).
    /// </summary>
    public Task<PurrConnection> OpenConnectionAsync(string server) => OpenAsync(server);

    /// <summary>Remembers the password of a server whose policy is "password".</summary>
    public void SetServerPassword(PurrAddress server, string password) => Update(server, entry => entry.ServerPassword = password);

    /// <summary>Remembers the account to create with on a server whose policy is "accounts".</summary>
    public void SetAccount(PurrAddress server, string name, string password) => Update(server, entry =>
    {
        entry.AccountName = name;
        entry.AccountPassword = password;
    });

    private void Update(PurrAddress server, Action<ServerRegistrationData> change)
    {
        gate.Wait();
        try
        {
            change(ProfileRegistration.For(Data, server, create: true)!);
            file.Save(Data);
        }
        finally
        {
            gate.Release();
        }
    }
}
