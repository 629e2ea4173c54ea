using System.CommandLine;

namespace Purr.Cli;

/// <summary>Small helpers that keep the command definitions short.</summary>
internal static class CommandBuilding
{
    public static Command With(this Command command, params Symbol[] symbols)
    {
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Option option:
                    command.Options.Add(option);
                    break;
                case Argument argument:
                    command.Arguments.Add(argument);
                    break;
                case Command sub:
                    command.Subcommands.Add(sub);
                    break;
            }
        }

        return command;
    }

    public static Command Runs(this Command command, Func<CliContext, Task<int>> action)
    {
        command.SetAction((parsed, _) => action(new CliContext(parsed)));
        return command;
    }

    public static Option<string?> Text(string name, string description, string helpName = "TEXT", bool required = false) =>
        new(name) { Description = description, HelpName = helpName, Required = required };

    public static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    public static Argument<string> Positional(string name, string description) => new(name) { Description = description };

    public static Option<double> Seconds(string name, string description, double defaultValue)
    {
        var option = new Option<double>(name) { Description = description, HelpName = "SECONDS", DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is < 0 or > 86_400)
            {
                result.AddError($"{name} must be between 0 and 86400 seconds");
            }
        });
        return option;
    }
}
