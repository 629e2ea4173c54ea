using Purr.Client;
using Purr.Protocol.V1;

namespace Purr.Cli;

/// <summary>What to do when a server's registration policy refused a creation.</summary>
internal static class RegistrationHints
{
    public static string? For(PurrProtocolException error) => error.Code switch
    {
        ErrorCode.RegistrationRequired =>
            "this server lets only registered people create mailboxes and rooms: ask its operator, then run "
            + "'purr register --invite LINK', 'purr register --server-password' or 'purr register --account NAME'",
        ErrorCode.RegistrationRefused =>
            "check what this profile holds with 'purr register'; a new invite link, the right server password or account fixes it",
        ErrorCode.RegistrationClosed => "this server takes no new mailboxes or rooms; ask its operator, or use another server",
        _ => null,
    };
}
