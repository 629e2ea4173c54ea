using System.Text;

namespace Purr.Cli.Terminal;

/// <summary>
/// A small line editor for the chats: the line being typed stays at the bottom, and everything printed
/// meanwhile goes above it, after which the prompt and the typed text are redrawn where they were. Keys:
/// ←/→, Home/End (Ctrl+A/Ctrl+E), Backspace/Delete, ↑/↓ history, Ctrl+U clears, Ctrl+D on an empty line ends.
/// Lines wider than the terminal scroll sideways, so a redraw never has to clear more than one row.
/// </summary>
internal sealed class LineEditor : IChatConsole
{
    private const string ClearLine = "\r\u001b[2K";
    private readonly Lock gate = new();
    private readonly StringBuilder buffer = new();
    private readonly List<string> history = [];
    private int cursor;
    private int historyIndex;
    private string prompt = "> ";

    public string Prompt
    {
        set
        {
            lock (gate)
            {
                prompt = value;
                Redraw();
            }
        }
    }

    public void Print(string line)
    {
        lock (gate)
        {
            Console.Out.Write(ClearLine);
            Console.Out.WriteLine(line);
            Redraw();
        }
    }

    public Task<string?> ReadLineAsync(CancellationToken cancellationToken) => Task.Run(() => ReadLine(cancellationToken), CancellationToken.None);

    public void Dispose()
    {
        lock (gate)
        {
            Console.Out.Write(ClearLine);
            Console.Out.Flush();
        }
    }

    private string? ReadLine(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            Redraw();
        }

        while (true)
        {
            // Console.ReadKey cannot be cancelled: poll, so /quit from elsewhere (a kick, Ctrl+C) ends the read.
            while (!Console.KeyAvailable)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return null;
                }

                Thread.Sleep(15);
            }

            var key = Console.ReadKey(intercept: true);
            lock (gate)
            {
                if (Apply(key, out var line))
                {
                    return line;
                }

                Redraw();
            }
        }
    }

    /// <summary>Applies one key; true when the line is finished (<paramref name="line"/> null at end of input).</summary>
    private bool Apply(ConsoleKeyInfo key, out string? line)
    {
        line = null;
        var control = (key.Modifiers & ConsoleModifiers.Control) != 0;
        switch (key.Key)
        {
            case ConsoleKey.Enter:
                line = buffer.ToString();
                if (line.Length > 0 && (history.Count == 0 || history[^1] != line))
                {
                    history.Add(line);
                }

                historyIndex = history.Count;
                buffer.Clear();
                cursor = 0;
                Console.Out.Write(ClearLine);
                return true;
            case ConsoleKey.D when control:
                if (buffer.Length == 0)
                {
                    Console.Out.Write(ClearLine);
                    return true;
                }

                Delete();
                return false;
            case ConsoleKey.Backspace:
                if (cursor > 0)
                {
                    buffer.Remove(--cursor, 1);
                }

                return false;
            case ConsoleKey.Delete:
                Delete();
                return false;
            case ConsoleKey.LeftArrow:
                cursor = Math.Max(0, cursor - 1);
                return false;
            case ConsoleKey.RightArrow:
                cursor = Math.Min(buffer.Length, cursor + 1);
                return false;
            case ConsoleKey.Home:
            case ConsoleKey.A when control:
                cursor = 0;
                return false;
            case ConsoleKey.End:
            case ConsoleKey.E when control:
                cursor = buffer.Length;
                return false;
            case ConsoleKey.U when control:
                buffer.Clear();
                cursor = 0;
                return false;
            case ConsoleKey.UpArrow:
                Recall(historyIndex - 1);
                return false;
            case ConsoleKey.DownArrow:
                Recall(historyIndex + 1);
                return false;
            default:
                if (!char.IsControl(key.KeyChar))
                {
                    buffer.Insert(cursor++, key.KeyChar);
                }

                return false;
        }
    }

    private void Delete()
    {
        if (cursor < buffer.Length)
        {
            buffer.Remove(cursor, 1);
        }
    }

    private void Recall(int index)
    {
        if (index < 0 || index > history.Count)
        {
            return;
        }

        historyIndex = index;
        buffer.Clear().Append(index == history.Count ? "" : history[index]);
        cursor = buffer.Length;
    }

    /// <summary>Prompt and the visible window of the typed text on the bottom row, the cursor where it belongs.</summary>
    private void Redraw()
    {
        var width = Math.Max(20, SafeWidth() - 1) - prompt.Length;
        var start = Math.Max(0, cursor - Math.Max(1, width - 1));
        var visible = buffer.ToString(start, Math.Min(buffer.Length - start, Math.Max(1, width)));
        var back = start + visible.Length - cursor;
        Console.Out.Write(ClearLine + prompt + visible + (back > 0 ? $"\u001b[{back}D" : ""));
        Console.Out.Flush();
    }

    private static int SafeWidth()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }
}
