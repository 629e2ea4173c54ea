using System.ComponentModel.DataAnnotations;

namespace Purr.Server.Registration;

/// <summary>Who may create mailboxes and rooms ("Registration" section). Sending into an existing mailbox stays open to anyone.</summary>
public sealed class RegistrationOptions : IValidatableObject
{
    public const string Section = "Registration";

    /// <summary>open (default), password, invite, accounts or closed.</summary>
    public RegistrationPolicyKind Policy { get; set; } = RegistrationPolicyKind.Open;

    /// <summary>Policy "password": the one server password every creation carries (at least 8 characters).</summary>
    public string? Password { get; set; }

    /// <summary>Policy "invite": the RSA key creation tokens are signed with; default registration-token.key in the data directory.</summary>
    public string? TokenKeyFile { get; set; }

    /// <summary>Policy "invite": the size of a new token key, when purrd makes one.</summary>
    [Range(2048, 4096)]
    public int TokenKeyBits { get; set; } = 2048;

    /// <summary>Policy "invite": most tokens one RedeemInvite may ask for (each is one RSA signature).</summary>
    [Range(1, 100)]
    public int MaxTokensPerRedemption { get; set; } = 20;

    /// <summary>Policy "invite": tokens a new invite carries unless purrctl says otherwise.</summary>
    [Range(1, 1_000_000)]
    public int DefaultInviteTokens { get; set; } = 50;

    /// <summary>Policy "accounts": account password checks (Argon2id) at once; the rest wait in line.</summary>
    [Range(1, 256)]
    public int PasswordHashConcurrency { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Policy "accounts": checks allowed to wait for a free slot; beyond it creations get RATE_LIMITED.</summary>
    [Range(0, 100_000)]
    public int PasswordHashQueue { get; set; } = 64;

    /// <summary>Policy "accounts": account password checks one IP address may cause per minute.</summary>
    [Range(1, 100_000)]
    public int PasswordChecksPerMinutePerIp { get; set; } = 20;

    /// <summary>
    /// host:port as people reach this server, for the purr:// address inside invite links; default the first
    /// address purrd listens on (wrong behind a proxy: set it there).
    /// </summary>
    public string? PublicHost { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Policy == RegistrationPolicyKind.Password && (Password is null || Password.Length < 8))
        {
            yield return new ValidationResult("Registration:Password must be set, at least 8 characters, when Registration:Policy is password");
        }

        if (Policy != RegistrationPolicyKind.Password && !string.IsNullOrEmpty(Password))
        {
            yield return new ValidationResult($"Registration:Password is set but Registration:Policy is {Policy.ToString().ToLowerInvariant()}: set Policy=password or remove it");
        }
    }
}

public enum RegistrationPolicyKind
{
    Open,
    Password,
    Invite,
    Accounts,
    Closed,
}
