using Microsoft.Extensions.Options;

namespace Purr.Server.Host;

/// <summary>
/// Framework components log request URLs, listening addresses and sometimes client addresses at
/// Information and below. Unless the operator turns Debug:UnsafeLogging on, every category outside
/// Purr's own is held at Warning or above, whatever the configured log levels say: the rules from
/// configuration are rewritten after they are bound, so no more specific rule can lower them.
/// </summary>
internal static class PrivacyLogFilter
{
    private const string PurrPrefix = "Purr";
    private const string HostingDiagnostics = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public static void Apply(IServiceCollection services, bool unsafeLogging)
    {
        if (!unsafeLogging)
        {
            services.AddSingleton<IPostConfigureOptions<LoggerFilterOptions>>(_ => new CapFrameworkLevels());
        }
    }

    private sealed class CapFrameworkLevels : IPostConfigureOptions<LoggerFilterOptions>
    {
        public void PostConfigure(string? name, LoggerFilterOptions options)
        {
            var defaultLevel = options.Rules.LastOrDefault(r => r.CategoryName is null && r.ProviderName is null)?.LogLevel
                ?? options.MinLevel;
            var rules = options.Rules.Select(Cap).ToList();
            if (!rules.Any(r => r.ProviderName is null && r.CategoryName == PurrPrefix))
            {
                rules.Add(new LoggerFilterRule(null, PurrPrefix, defaultLevel, null));
            }

            // A provider's own default ("Logging:Console:LogLevel:Default") beats every rule without a provider,
            // so capping it would also silence Purr's lines on that provider: give Purr that provider's level back.
            foreach (var providerDefault in options.Rules.Where(r => r.ProviderName is not null && r.CategoryName is null).ToList())
            {
                if (!rules.Any(r => r.ProviderName == providerDefault.ProviderName && IsPurr(r.CategoryName)))
                {
                    rules.Add(new LoggerFilterRule(providerDefault.ProviderName, PurrPrefix, providerDefault.LogLevel ?? defaultLevel, null));
                }
            }

            // ASP.NET Core's per-request category logs nothing at Warning or above, but while it is enabled at all the
            // host starts an Activity and a logging scope for every request, which a WebSocket keeps for its whole
            // life (about 0.5 KiB per idle connection): turn it off for every provider.
            rules.RemoveAll(r => r.CategoryName == HostingDiagnostics);
            rules.Add(new LoggerFilterRule(null, HostingDiagnostics, LogLevel.None, null));
            foreach (var provider in rules.Where(r => r.ProviderName is not null).Select(r => r.ProviderName).Distinct().ToList())
            {
                rules.Add(new LoggerFilterRule(provider, HostingDiagnostics, LogLevel.None, null));
            }

            options.Rules.Clear();
            foreach (var rule in rules)
            {
                options.Rules.Add(rule);
            }

            options.MinLevel = Max(options.MinLevel, LogLevel.Warning);
        }

        private static LoggerFilterRule Cap(LoggerFilterRule rule) =>
            IsPurr(rule.CategoryName)
                ? rule
                : new LoggerFilterRule(rule.ProviderName, rule.CategoryName, Max(rule.LogLevel ?? LogLevel.Trace, LogLevel.Warning), null);

        private static bool IsPurr(string? category) => category?.StartsWith(PurrPrefix, StringComparison.Ordinal) == true;

        private static LogLevel Max(LogLevel a, LogLevel b) => a > b ? a : b;
    }
}
