using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using Purr.Crypto;
using Purr.Server.Modules;

namespace Purr.Server.Host;

/// <summary>Why purrd could not start, in one line an operator can act on; null for a real bug (which keeps its stack trace).</summary>
internal static partial class StartFailure
{
    private static readonly Dictionary<string, string> SectionOf = new(StringComparer.Ordinal)
    {
        ["ConnectionLimitsOptions"] = "Limits",
        ["MailboxConnectionOptions"] = "Limits",
        ["MailboxOptions"] = "Mailboxes",
        ["RoomOptions"] = "Rooms",
    };

    public static string? Explain(Exception e) => e switch
    {
        SodiumUnavailableException or ConfigurationException or ModuleConfigurationException => e.Message,
        OptionsValidationException invalid => Invalid(invalid),
        IOException { InnerException: AddressInUseException } or IOException { InnerException.InnerException: SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } } =>
            $"{AddressOf(e.Message)} is already in use (another purrd?); stop that process or listen elsewhere with --urls http://127.0.0.1:PORT",
        IOException { InnerException: SocketException { SocketErrorCode: SocketError.AccessDenied } } =>
            $"not allowed to listen on {AddressOf(e.Message)} (ports below 1024 need privileges); choose another port with --urls, or put a TLS proxy in front",
        // A damaged server.key: the message names the file and what it must be.
        IOException or UnauthorizedAccessException or InvalidDataException => e.Message,
        _ => null,
    };

    private static string Invalid(OptionsValidationException invalid)
    {
        var section = SectionOf.GetValueOrDefault(invalid.OptionsType.Name, invalid.OptionsType.Name);
        var problems = invalid.Failures.Select(failure =>
        {
            // The generated validators say "Member: The field OptionsType.Member must be …"; DataAnnotations said
            // "… members: 'Member' with the error: '…'".
            var match = GeneratedFailure().Match(failure) is { Success: true } generated ? generated : DataAnnotationFailure().Match(failure);
            return match.Success
                ? $"{section}:{match.Groups["member"].Value}: {match.Groups["error"].Value.Replace(invalid.OptionsType.Name + ".", "", StringComparison.Ordinal).TrimEnd('.')}"
                : failure;
        });
        return $"{string.Join("; ", problems)} (purrd --help lists every setting and its default)";
    }

    private static string AddressOf(string message) => ListenAddress().Match(message) is { Success: true } match ? match.Value : "the listen address";

    [GeneratedRegex("members: '(?<member>[^']+)' with the error: '(?<error>.+?)'\\.?$")]
    private static partial Regex DataAnnotationFailure();

    [GeneratedRegex("^(?<member>[A-Za-z]+): (?<error>The field .+)$")]
    private static partial Regex GeneratedFailure();

    [GeneratedRegex("https?://[^ :]+(:\\d+)?")]
    private static partial Regex ListenAddress();
}
