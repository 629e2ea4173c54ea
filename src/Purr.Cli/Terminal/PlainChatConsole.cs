namespace Purr.Cli.Terminal;

/// <summary>Chat over pipes: one printed line per event, one read line per message; no prompt.</summary>
internal sealed class PlainChatConsole : IChatConsole
{
    private readonly Lock gate = new();

    public string Prompt
    {
        set { }
    }

    public void Print(string line)
    {
        lock (gate)
        {
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        }
    }

    public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await Console.In.ReadLineAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public void Dispose()
    {
    }
}
