namespace Purr.Cli;

/// <summary>A progress line on standard error while waiting on the network; silent when stderr is not a terminal.</summary>
internal sealed class Spinner : IDisposable
{
    private static readonly string[] Frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
    private readonly CancellationTokenSource stop = new();
    private readonly Task? loop;
    private readonly string label;

    public Spinner(string label)
    {
        this.label = label;
        if (!Console.IsErrorRedirected)
        {
            loop = Task.Run(RunAsync);
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        loop?.Wait();
        if (loop is not null)
        {
            Console.Error.Write("\r" + new string(' ', label.Length + 4) + "\r");
        }

        stop.Dispose();
    }

    private async Task RunAsync()
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            Console.Error.Write($"\r{Frames[i % Frames.Length]} {label}");
            try
            {
                await Task.Delay(100, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
