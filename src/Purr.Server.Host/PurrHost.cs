using Purr.Core.Mailboxes;
using Purr.Crypto;
using Purr.Protocol;
using Purr.Server.Identity;
using Purr.Server.Modules;

namespace Purr.Server.Host;

/// <summary>
/// Builds the purrd web application: configuration (appsettings.json, PURR_ environment variables,
/// command-line flags, in that order), the store, the server identity and the endpoints.
/// Tests build the same application with their own arguments.
/// </summary>
public static class PurrHost
{
    public static async Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? customize = null)
    {
        Sodium.EnsureAvailable();
        // The slim builder leaves out what purrd does not use (hosting startup assemblies, IIS, static
        // web assets), which saves start-up time and memory on small machines; HTTPS stays available.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.Configuration.AddEnvironmentVariables("PURR_");
        builder.Configuration.AddCommandLine(args);

        var unsafeLogging = builder.Configuration.GetValue<bool>("Debug:UnsafeLogging");
        PrivacyLogFilter.Apply(builder.Services, unsafeLogging);
        // A failed start is reported by purrd in one line (StartFailure); the host's own report is a stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

        var dataDirectory = DataPath(builder.Configuration);
        DataDirectory.Prepare(dataDirectory);
        var store = StoreOpening.Start(builder.Configuration, dataDirectory, TimeProvider.System);
        WebApplication app;
        try
        {
            // Factories, not instances: the container then disposes them at shutdown (SQLite checkpoints its WAL). They
            // run once the store is open: BuildAsync waits for it before anything is resolved from it.
            builder.Services.AddSingleton<IMailboxStore>(sp => new Purr.Server.Metrics.TimedMailboxStore(store.Result.Mailboxes, sp.GetRequiredService<Purr.Server.Metrics.ServerMetrics>()));
            builder.Services.AddSingleton(_ => store.Result.Rooms);
            builder.Services.AddSingleton(_ => (Purr.Core.Mailboxes.IMailboxBlockStore)store.Result.Mailboxes);
            builder.Services.AddSingleton(_ => store.Result.Handles);
            builder.Services.AddSingleton(_ => store.Result.Registration);
            builder.Services.AddSingleton(_ => store.Result.Identity!);
            builder.Services.AddSingleton<IOperatorReport>(new StoreReport(StorageSelection.Kind(builder.Configuration), dataDirectory));
            if (Purr.Backplane.Redis.RedisBackplane.IsConfigured(builder.Configuration))
            {
                if (!BuildFeatures.Redis)
                {
                    throw new ConfigurationException(BuildFeatures.Missing("the Redis backplane", "Redis:Configuration"));
                }

                // Several purrd on one PostgreSQL: mailbox signals between them go through Redis.
                Purr.Backplane.Redis.RedisBackplane.AddRedisBackplane(builder.Services);
            }

            builder.Services.AddPurrServer(builder.Configuration, ServerModules.Offered);
            customize?.Invoke(builder);
            app = builder.Build();
        }
        catch (Exception)
        {
            await store.AbandonAsync();
            throw;
        }

        try
        {
            await store.OpenedAsync();
        }
        catch (Exception)
        {
            await app.DisposeAsync();
            throw;
        }

        app.UsePurrWebClient();
        app.UseWebSockets();
        app.MapPurr();
        return app;
    }

    /// <summary>The server's address for the first HTTP URL it listens on (not a Unix socket), with the transports it advertises.</summary>
    public static PurrAddress Address(WebApplication app)
    {
        var identity = app.Services.GetRequiredService<ServerIdentity>();
        var url = new Uri(app.Urls.First(u => u.StartsWith("http", StringComparison.Ordinal) && !u.Contains("://unix:", StringComparison.Ordinal)));
        return app.Services.GetRequiredService<Purr.Server.Transport.AdvertisedTransports>().Address(identity.IdentityKey, url.Host, url.Port);
    }

    /// <summary>For the start line: "sqlite in /srv/purr/data" or "memory (nothing kept across a restart)".</summary>
    internal static string StorageDescription(WebApplication app)
    {
        var kind = StorageSelection.Kind(app.Configuration);
        return kind == "memory" ? "memory (nothing kept across a restart)" : $"{kind} in {DataPath(app.Configuration)}";
    }

    private static string DataPath(IConfiguration configuration) =>
        Path.GetFullPath(configuration["Data"] ?? "./data", Environment.CurrentDirectory);
}
