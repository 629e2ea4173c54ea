using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Purr.Ctl;

// purrctl: the purrd operator's tool. `purrctl --help` lists the commands.
var root = CtlCommands.Build();
var parsed = root.Parse(args);
if (args.Length == 0 || parsed.Errors.Count > 0)
{
    if (args.Length == 0)
    {
        await root.Parse(["--help"]).InvokeAsync();
        return 2;
    }

    if (parsed.Action is ParseErrorAction errors)
    {
        errors.ShowHelp = false;
    }

    await parsed.InvokeAsync();
    Console.Error.WriteLine("purrctl: see 'purrctl --help'");
    return 2;
}

try
{
    return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (CtlException e)
{
    Console.Error.WriteLine($"purrctl: {e.Message}");
    return 1;
}
