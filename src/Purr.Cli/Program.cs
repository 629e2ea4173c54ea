using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Purr.Cli;
using Purr.Client;
using Purr.Crypto;

// purr: the Purr terminal client. `purr --help` lists the commands, `purr COMMAND --help` explains one.
var root = PurrCommandLine.Build();
if (args.Length == 0)
{
    // Nothing asked: say what there is, and do not pretend that was success.
    await root.Parse(["--help"]).InvokeAsync();
    return 2;
}

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // Unknown commands and options, missing arguments: the parser's words, a suggestion for typos, exit 2.
    if (parsed.Action is ParseErrorAction errors)
    {
        errors.ShowHelp = false;
        errors.ShowTypoCorrections = true;
    }

    await parsed.InvokeAsync();
    var path = new List<string>();
    for (var result = parsed.CommandResult; result.Parent is CommandResult parent; result = parent)
    {
        path.Insert(0, result.Command.Name);
    }

    Output.Error($"see 'purr {string.Join(' ', path.Append("--help"))}'");
    return 2;
}

try
{
    Sodium.EnsureAvailable();
    return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (UsageException e)
{
    Output.Error(e.Message);
    return 2;
}
catch (PurrProtocolException e) when (RegistrationHints.For(e) is { } hint)
{
    Output.Error($"{e.Message}\n{hint}");
    return 1;
}
catch (Exception e) when (e is PurrClientException or SodiumUnavailableException)
{
    Output.Error(e.Message);
    return 1;
}

internal sealed class UsageException(string message) : Exception(message);
