using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Purr.Server;
using Purr.Server.Mailboxes;
using Purr.Server.Rooms;

namespace Purr.Server.Host;

/// <summary>
/// What purrd does with its command line before anything starts: --help and --version answer and exit,
/// and a setting purrd does not know (a typo such as --storag) is refused with a suggestion instead of
/// being silently ignored. Settings use .NET's forms: --key value, --key=value, --Section:Key=value.
/// </summary>
internal static class HostCommandLine
{
    private static readonly string[] Plain = ["Urls", "Data", "Storage"];

    /// <summary>Sections whose keys are free-form (.NET's own, or a list).</summary>
    private static readonly string[] Open = ["Modules", "Logging", "Kestrel"];

    /// <summary>The exit code when the command line was answered or refused here; null to go on and start.</summary>
    public static int? Handle(string[] args)
    {
        if (args.Any(a => a is "--help" or "-h" or "-?" or "/?"))
        {
            Console.Out.WriteLine(HostUsage.Text);
            return 0;
        }

        if (args.Contains("--version"))
        {
            var version = typeof(HostCommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            Console.Out.WriteLine(BuildFeatures.Describe() is { Length: > 0 } lean ? $"purrd {version} ({lean})" : $"purrd {version}");
            return 0;
        }

        if (Problem(args) is { } problem)
        {
            Console.Error.WriteLine($"purrd: {problem}; 'purrd --help' lists the settings");
            return 2;
        }

        return null;
    }

    /// <summary>The first thing wrong with the command line, in words, or null.</summary>
    internal static string? Problem(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            var prefixed = arg.StartsWith("--", StringComparison.Ordinal) ? 2 : arg.StartsWith('/') ? 1 : 0;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (prefixed == 0 && equals < 0)
            {
                return $"unexpected argument '{arg}' (settings look like --storage memory or --Limits:MaxFrameBytes=65536)";
            }

            var key = equals >= 0 ? arg[prefixed..equals] : arg[prefixed..];
            if (equals < 0)
            {
                if (i + 1 >= args.Length)
                {
                    return $"--{key} needs a value";
                }

                i++;
            }

            if (!Known(key))
            {
                return $"unknown setting '--{key}'{Suggestion(key)}";
            }
        }

        return null;
    }

    private static bool Known(string key)
    {
        var parts = key.Split(':');
        var first = parts[0];
        if (Plain.Contains(first, StringComparer.OrdinalIgnoreCase))
        {
            return parts.Length == 1;
        }

        if (Open.Contains(first, StringComparer.OrdinalIgnoreCase))
        {
            return true;
        }

        // A list setting takes an index: --Transports:Advertise:0=…, --Limits:AllowedOrigins:1=….
        var indexed = parts.Length >= 3 && int.TryParse(parts[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _);
        if (indexed && parts.Length == 4)
        {
            return KnownKeys.ListsOfSections.TryGetValue($"{first}:{parts[1]}", out var itemKeys) && itemKeys.Contains(parts[3], StringComparer.OrdinalIgnoreCase);
        }

        var listItem = indexed && parts.Length == 3;
        return KnownKeys.Sections.TryGetValue(first, out var keys) && (parts.Length == 2 || listItem) && keys.Contains(parts[1], StringComparer.OrdinalIgnoreCase);
    }

    private static string Suggestion(string key)
    {
        var all = Plain.Concat(KnownKeys.Sections.SelectMany(s => s.Value.Select(k => $"{s.Key}:{k}")));
        var best = all.Select(candidate => (candidate, distance: Distance(key.ToLowerInvariant(), candidate.ToLowerInvariant())))
            .OrderBy(c => c.distance).First();
        var shown = best.candidate.Contains(':', StringComparison.Ordinal) ? best.candidate : best.candidate.ToLowerInvariant();
        return best.distance <= Math.Max(2, key.Length / 4) ? $"; did you mean '--{shown}'?" : "";
    }

    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var previous = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var saved = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), previous + (a[i - 1] == b[j - 1] ? 0 : 1));
                previous = saved;
            }
        }

        return row[b.Length];
    }

    /// <summary>
    /// The keys of each section, read from the options classes by reflection: only when a setting is not one of the
    /// plain ones (--urls, --data, --storage), so that a start with only those does not pay for it.
    /// </summary>
    private static class KnownKeys
    {
        public static readonly Dictionary<string, string[]> Sections = new(StringComparer.OrdinalIgnoreCase)
        {
            ["Limits"] = PropertiesOf<ConnectionLimitsOptions, MailboxConnectionOptions>(),
            ["Mailboxes"] = PropertiesOf<MailboxOptions>(),
            ["Rooms"] = PropertiesOf<RoomOptions>(),
            ["Sqlite"] = ["Synchronous", "ErasureInterval"],
            ["Web"] = ["Enabled", "Root"],
            ["Debug"] = ["UnsafeLogging"],
            ["Metrics"] = PropertiesOf<Purr.Server.Metrics.MetricsOptions>(),
            ["Admin"] = PropertiesOf<Purr.Server.Admin.AdminOptions>(),
            ["Registration"] = PropertiesOf<Purr.Server.Registration.RegistrationOptions>(),
            ["Postgres"] = ["ConnectionString", "MaxPoolSize"],
            ["Redis"] = ["Configuration", "Channel"],
            ["Transports"] = PropertiesOf<Purr.Server.Transport.TransportOptions>(),
            ["Mqtt"] = PropertiesOf<Purr.Server.Transport.MqttOptions>(),
            ["Lan"] = PropertiesOf<Purr.Server.Transport.LanOptions>(),
            ["Federation"] = PropertiesOf<Purr.Server.Federation.FederationOptions>(),
        };

        /// <summary>List settings whose items have keys of their own: --Federation:Peers:0:Address=….</summary>
        public static readonly Dictionary<string, string[]> ListsOfSections = new(StringComparer.OrdinalIgnoreCase)
        {
            ["Federation:Peers"] = PropertiesOf<Purr.Server.Federation.FederationPeerOptions>(),
        };
    }

    private static string[] PropertiesOf<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>() =>
        [.. typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => p.Name).Distinct()];

    private static string[] PropertiesOf<
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T1,
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T2>() =>
        [.. PropertiesOf<T1>().Concat(PropertiesOf<T2>()).Distinct()];
}
