using Microsoft.Extensions.Options;
using Purr.Server.Modules;

namespace Purr.Server.Host;

/// <summary>
/// `purrctl check` (like `prosodyctl check`): the configuration purrd would start with (appsettings.json,
/// PURR_ variables, these arguments) checked as purrd checks it at start, without opening the store, creating
/// the data directory or listening.
/// </summary>
public static class HostCheck
{
    /// <returns>0 and a summary when purrd would start; 2 for a bad command line, 1 for a bad setting, with the reason.</returns>
    public static (int Exit, string Message) Run(string[] args, string? settingsFile = null)
    {
        if (HostCommandLine.Problem(args) is { } problem)
        {
            return (2, problem);
        }

        var file = settingsFile ?? Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        if (settingsFile is not null && !File.Exists(settingsFile))
        {
            return (2, $"no settings file at {settingsFile}");
        }

        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.GetFullPath(file), optional: true)
            .AddEnvironmentVariables("PURR_")
            .AddCommandLine(args)
            .Build();
        try
        {
            var kind = StorageSelection.Kind(configuration);
            if (kind is not ("sqlite" or "memory" or "postgres"))
            {
                return (1, $"--storage must be sqlite, memory or postgres, not '{configuration["Storage"]}'");
            }

            if (kind == "postgres" && string.IsNullOrWhiteSpace(configuration["Postgres:ConnectionString"]))
            {
                return (1, "--storage postgres needs --Postgres:ConnectionString");
            }

            var services = new ServiceCollection();
            services.AddSingleton<IConfiguration>(configuration);
            services.AddLogging();
            services.AddPurrServer(configuration, ServerModules.Offered);
            using var provider = services.BuildServiceProvider();
            provider.GetRequiredService<IStartupValidator>().Validate();
            var modules = string.Join(", ", provider.GetRequiredService<EnabledModules>().Names);
            var data = Path.GetFullPath(configuration["Data"] ?? "./data", Environment.CurrentDirectory);
            return (0, $"purrd would start: listening on {configuration["Urls"] ?? "http://localhost:5000"}, storage {kind}{(kind == "sqlite" ? $" in {data}" : "")}, modules {modules}");
        }
        catch (Exception e) when (StartFailure.Explain(e) is { } explained)
        {
            return (1, explained);
        }
    }
}
