using Microsoft.Extensions.Options;

namespace Purr.Server.Mailboxes;

/// <summary>A frame must be able to carry the largest message plus its envelope.</summary>
internal sealed class FrameLimitValidator(IOptions<MailboxOptions> mailboxes) : IValidateOptions<ConnectionLimitsOptions>
{
    internal const int EnvelopeBytes = 1024;

    public ValidateOptionsResult Validate(string? name, ConnectionLimitsOptions options) =>
        options.MaxFrameBytes < mailboxes.Value.MaxMessageBytes + EnvelopeBytes
            ? ValidateOptionsResult.Fail(
                $"Limits:MaxFrameBytes must be at least Mailboxes:MaxMessageBytes + {EnvelopeBytes}")
            : ValidateOptionsResult.Success;
}
