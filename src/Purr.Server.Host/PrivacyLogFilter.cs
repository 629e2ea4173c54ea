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

    public static void Apply(IServiceCollection services, bool unsafeLogging)
    {
        if (!unsafeLogging)
        {
            services.AddSingleton<IPostConfigureOptions<LoggerFilterOptions>, CapFrameworkLevels>();
        }
    }

    private sealed class CapFrameworkLevels : IPostConfigureOptions<LoggerFilterOptions>
    {
        public void PostConfigure(string? name, LoggerFilterOptions options)
        {
            var defaultLevel = options.Rules.LastOrDefault(r => r.CategoryName is null && r.ProviderName is null)?.LogLevel
                ?? options.MinLevel;
            var rules = options.Rules.Select(Cap).ToList();
            if (!rules.Any(r => r.CategoryName == PurrPrefix))
            {
                rules.Add(new LoggerFilterRule(null, PurrPrefix, defaultLevel, null));
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
