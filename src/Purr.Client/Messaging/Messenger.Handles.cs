using Purr.Client.EndToEnd;
using Purr.Client.Handles;
using Purr.Client.Profiles;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.V1;

namespace Purr.Client.Messaging;

/// <summary>
/// Handles (name@server) for this profile's contact address, the server's opt-in directory, and resolving someone
/// else's handle (PROTOCOL.md section 14). A handle lives on the server of the address's mailbox.
/// </summary>
public sealed partial class Messenger
{
    /// <summary>Registers <paramref name="name"/> for this profile's contact address; returns the full handle.</summary>
    public async Task<string> RegisterHandleAsync(string name)
    {
        await gate.WaitAsync();
        try
        {
            var address = Data.Address ?? throw new MessengerException("a handle points to your contact address: make one first with 'purr address create'");
            if (address.Handle is { } held && !string.Equals(held, name, StringComparison.OrdinalIgnoreCase))
            {
                throw new MessengerException($"your address has the handle '{held}' already; release it first ('purr handle release')");
            }

            using var key = Ed25519KeyPair.FromSeed(address.AddressKeySeed);
            try
            {
                await (await ConnectAsync(address.Mailbox.Server, group: GroupOf(address.Mailbox))).RegisterHandleAsync(name, address.Link, key);
            }
            catch (PurrProtocolException e) when (e.Code == ErrorCode.HandleTaken)
            {
                throw new MessengerException($"the handle '{name}' is taken on this server; try another");
            }

            address.Handle = name.Trim().ToLowerInvariant();
            file.Save(Data);
            return FullHandle(address);
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task ReleaseHandleAsync()
    {
        await gate.WaitAsync();
        try
        {
            var address = Data.Address;
            if (address?.Handle is null)
            {
                throw new MessengerException("this profile has no handle");
            }

            await ReleaseHandleLockedAsync(address);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Lists the handle in its server's directory (or updates the listing); <paramref name="listed"/> false delists it at once.</summary>
    public async Task SetListingAsync(bool listed, string description = "", TimeSpan freeForChat = default)
    {
        await gate.WaitAsync();
        try
        {
            var address = Data.Address;
            if (address?.Handle is not { } handle)
            {
                throw new MessengerException("only a handle can be listed: 'purr handle register NAME' first");
            }

            using var key = Ed25519KeyPair.FromSeed(address.AddressKeySeed);
            await (await ConnectAsync(address.Mailbox.Server, group: GroupOf(address.Mailbox))).SetListingAsync(handle, key, listed, description, freeForChat);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Searches a server's directory (default: the profile's server).</summary>
    public async Task<IReadOnlyList<DirectoryEntry>> SearchDirectoryAsync(string query, bool freeForChatOnly = false, string? server = null)
    {
        await gate.WaitAsync();
        try
        {
            return await (await ConnectAsync(server ?? Data.Server)).SearchDirectoryAsync(query, freeForChatOnly);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// The contact address a handle points to, resolved over the protocol on its server: a server this profile already
    /// uses is reached by the address it knows; any other is found through its /.well-known/purr (trusted on first use).
    /// </summary>
    public async Task<HandleResolved> ResolveHandleAsync(HandleName handle)
    {
        await gate.WaitAsync();
        try
        {
            return await ResolveLockedAsync(handle);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<HandleResolved> ResolveLockedAsync(HandleName handle)
    {
        var server = KnownServers().FirstOrDefault(s => string.Equals(s.Host, handle.Host, StringComparison.OrdinalIgnoreCase) && s.Port == handle.Port)
            ?? await ServerDiscovery.DiscoverAsync(handle.Host, handle.Port);
        try
        {
            return await (await ConnectAsync(server.ToString())).ResolveHandleAsync(handle.Name);
        }
        catch (PurrProtocolException e) when (e.Code is ErrorCode.NotFound or ErrorCode.InvalidArgument)
        {
            throw new MessengerException($"nobody has the handle {handle} (check the spelling)");
        }
    }

    private IEnumerable<PurrAddress> KnownServers()
    {
        var servers = new HashSet<string>(StringComparer.Ordinal) { Data.Server };
        servers.UnionWith(AllMailboxes().Select(m => m.Mailbox.Server));
        foreach (var server in servers)
        {
            if (PurrAddress.TryParse(server, out var address, out _))
            {
                yield return address;
            }
        }
    }

    private async Task ReleaseHandleLockedAsync(AddressRecord address)
    {
        if (address.Handle is not { } handle)
        {
            return;
        }

        using var key = Ed25519KeyPair.FromSeed(address.AddressKeySeed);
        try
        {
            await (await ConnectAsync(address.Mailbox.Server, group: GroupOf(address.Mailbox))).ReleaseHandleAsync(handle, key);
        }
        catch (PurrProtocolException e) when (e.Code == ErrorCode.Auth)
        {
            // Already gone on the server.
        }

        address.Handle = null;
        file.Save(Data);
    }

    /// <summary>name@host[:port] for this profile's handle, or null.</summary>
    public string? Handle => Data.Address is { Handle: not null } address ? FullHandle(address) : null;

    private static string FullHandle(AddressRecord address)
    {
        var server = PurrAddress.Parse(address.Mailbox.Server);
        return new HandleName(address.Handle!, server.Host, server.Port).ToString();
    }
}
