using System.Text;

namespace Purr.Cli;

/// <summary>The profile passphrase (and other secrets): PURR_PASSPHRASE if set, else asked on the terminal without echo.</summary>
internal static class Passphrase
{
    public const string Variable = "PURR_PASSPHRASE";

    public static string? Get(string prompt) => Read(Variable, prompt);

    /// <summary>A secret from <paramref name="variable"/> if set, else a line of redirected input, else asked without echo.</summary>
    public static string? Read(string variable, string prompt)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return fromEnvironment;
        }

        if (Console.IsInputRedirected)
        {
            return Console.In.ReadLine();
        }

        Console.Error.Write(prompt);
        var text = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                Console.Error.WriteLine();
                return text.ToString();
            }

            if (key.Key == ConsoleKey.Backspace && text.Length > 0)
            {
                text.Length--;
            }
            else if (!char.IsControl(key.KeyChar))
            {
                text.Append(key.KeyChar);
            }
        }
    }

    /// <summary>The shortest passphrase a new profile accepts, the same in the browser.</summary>
    public const int MinimumLength = 8;

    public static string NewPassphrase()
    {
        var first = Get($"New passphrase ({MinimumLength} characters or more): ");
        if (string.IsNullOrEmpty(first))
        {
            throw new UsageException($"a passphrase is needed (or pass --no-passphrase to store the profile unencrypted)");
        }

        if (first.Length < MinimumLength)
        {
            throw new UsageException($"use a passphrase of at least {MinimumLength} characters");
        }

        if (Environment.GetEnvironmentVariable(Variable) is null && !Console.IsInputRedirected && Get("Repeat it: ") != first)
        {
            throw new UsageException("the passphrases differ");
        }

        return first;
    }
}
