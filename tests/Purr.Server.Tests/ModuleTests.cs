using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Purr.Server.Host;
using Purr.Server.Mailboxes;
using Purr.Server.Modules;
using Purr.Server.Rooms;
using Purr.TestKit;

namespace Purr.Server.Tests;

/// <summary>Modules declare what they need; purrd refuses a configuration it cannot run, with one clear line.</summary>
public sealed class ModuleTests
{
    private static readonly IPurrModule[] Offered = [new MailboxModule(), new RoomModule()];

    [Fact]
    public void Defaults_enable_every_default_module_with_needs_registered_first()
    {
        Assert.Equal(["mailboxes", "rooms"], ModuleSelection.Select(Offered, null).Select(m => m.Name));
        Assert.Equal(["mailboxes", "rooms"], ModuleSelection.Select([new RoomModule(), new MailboxModule()], ["rooms", "mailboxes"]).Select(m => m.Name));
        Assert.Equal(["mailboxes"], ModuleSelection.Select(Offered, ["MAILBOXES"]).Select(m => m.Name));
    }

    [Fact]
    public void An_unknown_name_and_a_missing_need_are_refused_with_a_line_that_says_what_to_do()
    {
        var missing = Assert.Throws<ModuleConfigurationException>(() => ModuleSelection.Select(Offered, ["rooms"]));
        Assert.Equal("rooms needs mailboxes: add it to Modules or remove rooms", missing.Message);
        var unknown = Assert.Throws<ModuleConfigurationException>(() => ModuleSelection.Select(Offered, ["mailboxes", "presence"]));
        Assert.Equal("unknown module 'presence' (this purrd has: mailboxes, rooms)", unknown.Message);
        Assert.Throws<ModuleConfigurationException>(() => ModuleSelection.Select([new MailboxModule(), new MailboxModule()], null));
    }

    [Fact]
    public async Task Purrd_with_rooms_alone_refuses_to_start_and_says_why()
    {
        using var data = new TemporaryDirectory();
        var start = new ProcessStartInfo("dotnet", [typeof(PurrHost).Assembly.Location, "--urls", "http://127.0.0.1:0", "--data", data.Path, "--Modules:0=rooms"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var error = await process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        Assert.Equal(1, process.ExitCode);
        Assert.Equal("purrd: rooms needs mailboxes: add it to Modules or remove rooms", error.Trim());
    }

    [Fact]
    public async Task Mailboxes_alone_run_and_advertise_their_limits_without_rooms()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["Modules:0"] = "mailboxes" });
        Assert.Equal(["mailboxes"], server.Services.GetRequiredService<EnabledModules>().Names);
        await using var client = await server.ConnectAsync();
        Assert.Equal(64u * 1024, client.Hello.Limits.MaxMessageBytes);
        Assert.Equal(4096u, client.Hello.Limits.MaxSubscriptions);
        Assert.Equal(128u * 1024, client.Hello.Limits.MaxFrameBytes);
        var error = await Assert.ThrowsAsync<Client.PurrProtocolException>(() => Client.Rooms.RoomSession.CreateAsync(client, Protocol.V1.RoomKind.Transient, "A"));
        Assert.Equal(Protocol.V1.ErrorCode.UnknownRequest, error.Code);
    }
}
