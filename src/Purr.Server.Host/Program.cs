using Purr.Crypto;
using Purr.Server.Host;
using Purr.Server.Modules;

// purrd: the Purr server. See README.md for configuration and PROTOCOL.md for the wire protocol.
try
{
    await using var app = await PurrHost.BuildAsync(args);
    await app.StartAsync();

    var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Purr.Server.Host");
    if (app.Configuration.GetValue<bool>("Debug:UnsafeLogging"))
    {
        HostLog.UnsafeLoggingEnabled(logger);
    }

    var sockets = app.Services.GetRequiredService<Purr.Server.Transport.SocketAdmission>();
    HostLog.SocketLimit(logger, sockets.MaxSockets, sockets.DescriptorLimit?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown");
    HostLog.Started(logger, PurrHost.StorageName(app.Services), string.Join(", ", app.Services.GetRequiredService<EnabledModules>().Names));
    // The address goes to standard output, not to the logs: it is for the operator to share.
    Console.Out.WriteLine($"purrd listening: {PurrHost.Address(app)}");
    await app.WaitForShutdownAsync();
    return 0;
}
catch (SodiumUnavailableException e)
{
    Console.Error.WriteLine($"purrd: {e.Message}");
    return 1;
}
catch (Exception e) when (e is ConfigurationException or ModuleConfigurationException or Microsoft.Extensions.Options.OptionsValidationException or IOException)
{
    Console.Error.WriteLine($"purrd: {e.Message}");
    return 1;
}
