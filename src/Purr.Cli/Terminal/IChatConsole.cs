namespace Purr.Cli.Terminal;

/// <summary>Where a chat reads typed lines and prints what happens, without one getting in the other's way.</summary>
internal interface IChatConsole : IDisposable
{
    /// <summary>What the input line starts with: whom you talk to, and whether the server is reachable.</summary>
    string Prompt { set; }

    /// <summary>Prints one line above the input; the line being typed is redrawn below it.</summary>
    void Print(string line);

    /// <summary>The next typed line, or null at end of input (Ctrl+D, a closed pipe) or when cancelled.</summary>
    Task<string?> ReadLineAsync(CancellationToken cancellationToken);
}

internal static class ChatConsole
{
    /// <summary>A line editor on a terminal; plain lines when input or output is redirected (scripts, pipes).</summary>
    public static IChatConsole Create() =>
        Console.IsInputRedirected || Console.IsOutputRedirected ? new PlainChatConsole() : new LineEditor();
}
