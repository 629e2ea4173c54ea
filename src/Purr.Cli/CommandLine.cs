namespace Purr.Cli;

/// <summary>
/// The parsed command line: a command, its positional arguments and its --options. Global options
/// (--profile, --json) may stand anywhere. Flags take no value; every other option takes one.
/// </summary>
internal sealed class CommandLine
{
    private static readonly HashSet<string> Flags = ["--json", "--no-passphrase", "--qr", "--confirm", "--help", "--version", "--transient", "--persistent", "--flat"];
    private readonly Dictionary<string, string> options = [];
    private readonly HashSet<string> flags = [];

    private CommandLine()
    {
    }

    public string Command { get; private set; } = "";

    public List<string> Arguments { get; } = [];

    public bool Json => flags.Contains("--json");

    public static CommandLine Parse(string[] args)
    {
        var line = new CommandLine();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (Flags.Contains(arg))
                {
                    line.flags.Add(arg);
                }
                else if (i + 1 < args.Length)
                {
                    line.options[arg] = args[++i];
                }
                else
                {
                    throw new UsageException($"{arg} needs a value");
                }
            }
            else if (line.Command.Length == 0)
            {
                line.Command = arg;
            }
            else
            {
                line.Arguments.Add(arg);
            }
        }

        return line;
    }

    public bool Has(string flag) => flags.Contains(flag);

    public string? Option(string name) => options.GetValueOrDefault(name);

    public string Required(string name) => Option(name) ?? throw new UsageException($"{Command} needs {name}");

    public string Argument(int index, string what) =>
        index < Arguments.Count ? Arguments[index] : throw new UsageException($"{Command} needs {what}");

    public void Expect(int positional)
    {
        if (Arguments.Count > positional)
        {
            throw new UsageException($"unexpected argument '{Arguments[positional]}'");
        }
    }
}

internal sealed class UsageException(string message) : Exception(message);
