using Microsoft.Extensions.Options;
using Purr.Core.Registration;
using Purr.Server.Modules;

namespace Purr.Server.Registration;

/// <summary>Registration's part of purrctl status and limits: the policy and counts; never the server password.</summary>
internal sealed class RegistrationReport(IOptions<RegistrationOptions> options, IRegistrationStore store) : IOperatorReport
{
    public string Section => "registration";

    public async ValueTask<IReadOnlyDictionary<string, object>> StatusAsync(CancellationToken cancellationToken)
    {
        var invites = await store.ListInvitesAsync(cancellationToken);
        return new Dictionary<string, object>
        {
            ["policy"] = options.Value.Policy.ToString().ToLowerInvariant(),
            ["invites"] = invites.Count,
            ["inviteTokensLeft"] = invites.Sum(i => (long)i.TokensLeft),
            ["accounts"] = (await store.ListAccountsAsync(cancellationToken)).Count,
        };
    }

    public IReadOnlyDictionary<string, object> Settings()
    {
        var values = OptionValues.Of(options.Value);
        values[nameof(RegistrationOptions.Policy)] = options.Value.Policy.ToString().ToLowerInvariant();
        values[nameof(RegistrationOptions.Password)] = string.IsNullOrEmpty(options.Value.Password) ? "" : "(set)";
        return values;
    }
}
