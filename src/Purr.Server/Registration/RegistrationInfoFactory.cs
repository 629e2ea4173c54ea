using Purr.Protocol.V1;

namespace Purr.Server.Registration;

/// <summary>What ServerHello and /.well-known/purr say about registration.</summary>
internal static class RegistrationInfoFactory
{
    public static RegistrationInfo Create(RegistrationOptions options, TokenKeys keys) => new()
    {
        Policy = ToWire(options.Policy),
        TokenKey = keys.Wire,
    };

    /// <summary>The policy's name in /.well-known/purr and configuration: open, password, invite, accounts, closed.</summary>
    public static string Name(RegistrationPolicy policy) =>
        policy is RegistrationPolicy.Unspecified ? "open" : policy.ToString().ToLowerInvariant();

    public static RegistrationPolicy ToWire(RegistrationPolicyKind kind) => kind switch
    {
        RegistrationPolicyKind.Password => RegistrationPolicy.Password,
        RegistrationPolicyKind.Invite => RegistrationPolicy.Invite,
        RegistrationPolicyKind.Accounts => RegistrationPolicy.Accounts,
        RegistrationPolicyKind.Closed => RegistrationPolicy.Closed,
        _ => RegistrationPolicy.Open,
    };
}
