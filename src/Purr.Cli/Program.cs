using Purr.Cli;
using Purr.Cli.Commands;
using Purr.Client;
using Purr.Crypto;

// purr: the Purr terminal client. `purr help` lists the commands.
CommandLine line;
try
{
    line = CommandLine.Parse(args);
}
catch (UsageException e)
{
    Output.Error(e.Message);
    return 2;
}

if (line.Has("--version"))
{
    Console.WriteLine($"purr {typeof(PurrConnection).Assembly.GetName().Version}");
    return 0;
}

var context = new CliContext(line);
try
{
    Sodium.EnsureAvailable();
    return line.Command switch
    {
        "init" => await ProfileCommands.InitAsync(context),
        "invite" => await ContactCommands.InviteAsync(context),
        "accept" => await ContactCommands.AcceptAsync(context),
        "contacts" => await ContactCommands.ListAsync(context),
        "verify" => await ContactCommands.VerifyAsync(context),
        "move" => await ContactCommands.MoveAsync(context),
        "remove" => await ContactCommands.RemoveAsync(context),
        "send" => await MessageCommands.SendAsync(context),
        "receive" => await MessageCommands.ReceiveAsync(context),
        "chat" => await MessageCommands.ChatAsync(context),
        "ping" => await ServerCommands.PingAsync(context),
        "room" => await RoomCommands.RunAsync(context),
        "" or "help" => Usage.Print(),
        _ => throw new UsageException($"unknown command '{line.Command}'; 'purr help' lists them"),
    };
}
catch (UsageException e)
{
    Output.Error(e.Message);
    return 2;
}
catch (Exception e) when (e is PurrClientException or SodiumUnavailableException)
{
    Output.Error(e.Message);
    return 1;
}
