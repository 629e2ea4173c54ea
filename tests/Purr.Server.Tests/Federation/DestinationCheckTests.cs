using Microsoft.Extensions.Options;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Server.Federation;

namespace Purr.Server.Tests.Federation;

/// <summary>
/// Mode open's destination check (PROTOCOL.md 15.2): private and loopback hosts are refused, and what is dialled is
/// what was checked: the WebSocket endpoint at the resolved address, never the other transports an address lists.
/// </summary>
public sealed class DestinationCheckTests
{
    private static readonly string Key = Base64Url.Encode(Ed25519KeyPair.Generate().PublicKey);

    private static FederationPolicy Open(bool allowPrivate = false) =>
        new(Options.Create(new FederationOptions { Mode = FederationMode.Open, AllowPrivateAddresses = allowPrivate }));

    [Fact]
    public async Task A_public_destination_is_dialled_at_the_checked_address_without_its_other_transports()
    {
        var destination = PurrAddress.Parse($"purr://{Key}@203.0.113.7:7878?transport=tcp://127.0.0.1:7878&transport=mqtt://10.0.0.1:1883/purr/x");
        var check = await Open().CheckDestinationAsync(destination, CancellationToken.None);
        Assert.Null(check.Refusal);
        Assert.False(check.Unresolvable);
        Assert.Equal("203.0.113.7", check.ConnectTo.Host);
        Assert.Empty(check.ConnectTo.Transports);
        Assert.Equal(destination.IdentityKey, check.ConnectTo.IdentityKey);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    [InlineData("10.1.2.3")]
    [InlineData("192.168.1.1")]
    [InlineData("[::1]")]
    [InlineData("[fd00::1]")]
    [InlineData("169.254.0.1")]
    public async Task Private_and_loopback_hosts_are_refused(string host)
    {
        var check = await Open().CheckDestinationAsync(PurrAddress.Parse($"purr://{Key}@{host}:7878"), CancellationToken.None);
        Assert.Equal("this server does not relay to private or loopback addresses", check.Refusal);
    }

    [Fact]
    public async Task A_host_that_does_not_resolve_is_unreachable_and_allowing_private_addresses_dials_as_given()
    {
        var unresolvable = await Open().CheckDestinationAsync(PurrAddress.Parse($"purr://{Key}@no-such-host.invalid:7878"), CancellationToken.None);
        Assert.True(unresolvable.Unresolvable);

        var destination = PurrAddress.Parse($"purr://{Key}@127.0.0.1:7878?transport=tcp://127.0.0.1:7879");
        var allowed = await Open(allowPrivate: true).CheckDestinationAsync(destination, CancellationToken.None);
        Assert.Null(allowed.Refusal);
        Assert.Same(destination, allowed.ConnectTo);
    }
}
