using System.CommandLine;
using Purr.Client.History;
using Purr.Client.Profiles;
using static Purr.Cli.CommandBuilding;

namespace Purr.Cli.Commands;

/// <summary>`purr export` and `purr import`: a profile moved to another device, the CLI's or a browser's (PROTOCOL.md 9).</summary>
internal static class PortableCommands
{
    private static readonly Argument<string> ExportFile = Positional("file", "where to write the profile (a new file)");
    private static readonly Argument<string> ImportFile = Positional("file", "the exported profile (from purr export or a browser's \"Export profile\")");
    private static readonly Option<bool> NoHistory = Flag("--no-history", "leave the messages kept on this device out of the file");

    private const string MoveWarning =
        "use it on one device only: import it there and stop using this copy (both would advance the same sessions, and messages would stop decrypting)";

    public static Command Export() =>
        new Command("export", "write this profile (contacts, rooms, settings, history) to one encrypted file, to move it to another device or a browser")
            .With(ExportFile, NoHistory).Runs(ExportAsync);

    public static Command Import() =>
        new Command("import", "make this profile from an exported one (it keeps the passphrase it was exported with)")
            .With(ImportFile).Runs(ImportAsync);

    private static Task<int> ExportAsync(CliContext context)
    {
        var target = Path.GetFullPath(context.Value(ExportFile));
        if (File.Exists(target) || Directory.Exists(target))
        {
            throw new UsageException($"{target} exists; name a new file");
        }

        var (file, data) = ProfileFile.Open(context.ProfileDirectory, () => Passphrase.Get("Passphrase: "));
        IReadOnlyList<HistoryEntry> history = context.Value(NoHistory) ? [] : new MessageHistory(file).Read();
        var bytes = PortableProfile.Export(file, data, history, Passphrase.NewPassphrase);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(target, options))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        context.Out.Result(
            new { file = target, contacts = data.Contacts.Count, rooms = data.Rooms.Count, messages = history.Count },
            $"exported to {target}: {data.Contacts.Count} contact(s), {data.Rooms.Count} room(s), {history.Count} message(s) of history.\n"
            + $"It opens with {(file.IsEncrypted ? "this profile's passphrase" : "the passphrase you just chose")}; {MoveWarning}.");
        return Task.FromResult(0);
    }

    private static Task<int> ImportAsync(CliContext context)
    {
        var source = Path.GetFullPath(context.Value(ImportFile));
        if (ProfileFile.Exists(context.ProfileDirectory))
        {
            throw new ProfileException($"a profile already exists in {context.ProfileDirectory}; import into another one (--profile DIR)");
        }

        if (!File.Exists(source))
        {
            throw new UsageException($"no file {source}");
        }

        if (new FileInfo(source).Length > PortableProfile.MaxBytes)
        {
            throw new UsageException($"{source} is larger than any exported profile ({PortableProfile.MaxBytes / 1024 / 1024} MiB at most)");
        }

        var passphrase = Passphrase.Get("Passphrase of the exported profile: ");
        if (string.IsNullOrEmpty(passphrase))
        {
            throw new UsageException("the exported profile's passphrase is needed");
        }

        var (data, history) = PortableProfile.Import(File.ReadAllBytes(source), passphrase, source);
        var file = ProfileFile.Create(context.ProfileDirectory, passphrase, data);
        new MessageHistory(file).Append(history);
        context.Out.Result(
            new { profile = file.Directory, server = data.Server, contacts = data.Contacts.Count, rooms = data.Rooms.Count, messages = history.Count },
            $"imported into {file.Directory}: {data.Contacts.Count} contact(s), {data.Rooms.Count} room(s), {history.Count} message(s), server {data.Server}.\n"
            + "It keeps the passphrase it was exported with; stop using the device it came from.");
        return Task.FromResult(0);
    }
}
