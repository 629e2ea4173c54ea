using Purr.Crypto;
using Purr.Server.Host;
using Purr.Server.Modules;

// purrd: the Purr server. `purrd --help` lists the settings; README.md explains them, PROTOCOL.md the wire protocol.
if (HostCommandLine.Handle(args) is { } answered)
{
    return answered;
}

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
    HostLog.Started(logger, PurrHost.StorageDescription(app), string.Join(", ", app.Services.GetRequiredService<EnabledModules>().Names));
    var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
    lifetime.ApplicationStopping.Register(() => HostLog.Stopping(logger));
    // The address goes to standard output, not to the logs: it is for the operator to share.
    Console.Out.WriteLine($"purrd listening: {PurrHost.Address(app)}");
    await app.WaitForShutdownAsync();
    HostLog.Stopped(logger);
    return 0;
}
catch (Exception e) when (StartFailure.Explain(e) is { } explained)
{
    // One line with a hint, not a stack trace: these are the operator's to fix.
    Console.Error.WriteLine($"purrd: {explained}");
    return 1;
}
