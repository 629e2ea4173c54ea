using System.CommandLine;
using System.CommandLine.Invocation;
using Purr.Cli.Commands;

namespace Purr.Cli;

/// <summary>The whole `purr` command tree: every command and option with its help text (`--help` anywhere).</summary>
internal static class PurrCommandLine
{
    public static RootCommand Build()
    {
        var root = new RootCommand("purr: private messages and rooms on a Purr server. Identities are keys, a different one per contact.");
        root.Options.Add(GlobalOptions.Profile);
        root.Options.Add(GlobalOptions.Json);
        root.Subcommands.Add(ProfileCommands.Init());
        root.Subcommands.Add(ProfileCommands.Register());
        root.Subcommands.Add(PortableCommands.Export());
        root.Subcommands.Add(PortableCommands.Import());
        foreach (var command in ContactCommands.All().Concat(AddressCommands.All()).Concat(HandleCommands.All()).Concat(MessageCommands.All()))
        {
            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(RoomCommands.Build());
        root.Subcommands.Add(PresenceCommands.Build());
        root.Subcommands.Add(ServerCommands.Ping());
        root.Subcommands.Add(ServerCommands.Servers());
        root.Subcommands.Add(LanCommand.Build());
        root.Subcommands.Add(HistoryCommand.Build());
        root.Subcommands.Add(DisappearCommand.Build());
        root.Subcommands.Add(DeviceCommands.Build());
        root.Subcommands.Add(HelpCommand(root));
        foreach (var option in root.Options)
        {
            // Mistakes get the error, a "did you mean", and a pointer to --help, not a screen of help.
            if (option.Action is ParseErrorAction errors)
            {
                errors.ShowHelp = false;
            }
        }

        return root;
    }

    /// <summary>`purr help [COMMAND…]`: the same as `purr [COMMAND…] --help`.</summary>
    private static Command HelpCommand(RootCommand root)
    {
        var path = new Argument<string[]>("command") { Description = "the command to explain", Arity = ArgumentArity.ZeroOrMore };
        var help = new Command("help", "explain a command: purr help room join").With(path);
        help.SetAction((parsed, token) => root.Parse([.. parsed.GetValue(path) ?? [], "--help"]).InvokeAsync(cancellationToken: token));
        return help;
    }
}
