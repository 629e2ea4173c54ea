using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Purr.Server.Host;

namespace Purr.Ctl;

/// <summary>The purrctl commands; each talks to purrd's admin socket (check alone does not need a running purrd).</summary>
internal static class CtlCommands
{
    private static readonly Option<string?> Data = new("--data")
    {
        Description = "purrd's data directory, where its admin socket is (default: $PURR_DATA, else ./data)",
        HelpName = "DIR",
        Recursive = true,
    };

    private static readonly Option<string?> Socket = new("--socket") { Description = "the admin socket itself (default: DIR/purrd.sock)", HelpName = "PATH", Recursive = true };
    private static readonly Option<bool> Json = new("--json") { Description = "print one JSON document, for scripts", Recursive = true };
    private static readonly Option<string?> Settings = new("--settings") { Description = "the appsettings.json to check (default: the one beside purrd)", HelpName = "FILE" };
    private static readonly Argument<string[]> PurrdArguments = new("purrd-settings") { Description = "settings as purrd takes them: --storage memory --Limits:MaxFrameBytes=65536 …", Arity = ArgumentArity.ZeroOrMore };

    public static RootCommand Build()
    {
        var root = new RootCommand("purrctl: look after a running purrd through its admin socket (a Unix socket in the data directory, owner only).");
        root.Options.Add(Data);
        root.Options.Add(Socket);
        root.Options.Add(Json);
        root.Subcommands.Add(Ask("status", "version, uptime, modules, connections, mailboxes, rooms, store size (counts only)", FormatStatus));
        root.Subcommands.Add(Ask("limits", "every effective limit and setting, by section", FormatSections));
        root.Subcommands.Add(Ask("modules", "the modules this purrd runs", result => string.Join('\n', result["modules"]!.AsArray().Select(m => m!.GetValue<string>()))));
        root.Subcommands.Add(BroadcastCommand());
        root.Subcommands.Add(RegistrationCtlCommands.Invites(SocketPath, Json));
        root.Subcommands.Add(RegistrationCtlCommands.Accounts(SocketPath, Json));
        var check = new Command("check", "check a configuration as purrd would at start, without starting it (like prosodyctl check)");
        check.Options.Add(Settings);
        check.Arguments.Add(PurrdArguments);
        check.TreatUnmatchedTokensAsErrors = false;
        check.SetAction(parsed =>
        {
            var purrdArgs = (parsed.GetValue(PurrdArguments) ?? []).Concat(parsed.UnmatchedTokens).ToArray();
            var (exit, message) = HostCheck.Run(purrdArgs, parsed.GetValue(Settings));
            (exit == 0 ? Console.Out : Console.Error).WriteLine(parsed.GetValue(Json)
                ? new JsonObject { ["ok"] = exit == 0, ["message"] = message }.ToJsonString()
                : exit == 0 ? message : $"purrctl: {message}");
            return exit;
        });
        root.Subcommands.Add(check);

        var migrate = new Command("migrate", "bring a PostgreSQL database's schema up to this version without starting purrd (purrd also does it at start)");
        var migrateSettings = new Option<string?>("--settings") { Description = "the appsettings.json to read (default: the one beside purrd)", HelpName = "FILE" };
        var migrateArguments = new Argument<string[]>("purrd-settings") { Description = "--storage postgres --Postgres:ConnectionString \"Host=…;Username=…;Database=…\"", Arity = ArgumentArity.ZeroOrMore };
        migrate.Options.Add(migrateSettings);
        migrate.Arguments.Add(migrateArguments);
        migrate.TreatUnmatchedTokensAsErrors = false;
        migrate.SetAction(async (parsed, _) =>
        {
            var purrdArgs = (parsed.GetValue(migrateArguments) ?? []).Concat(parsed.UnmatchedTokens).ToArray();
            var (exit, message) = await HostMigrate.RunAsync(purrdArgs, parsed.GetValue(migrateSettings));
            (exit == 0 ? Console.Out : Console.Error).WriteLine(parsed.GetValue(Json)
                ? new JsonObject { ["ok"] = exit == 0, ["message"] = message }.ToJsonString()
                : exit == 0 ? message : $"purrctl: {message}");
            return exit;
        });
        root.Subcommands.Add(migrate);
        return root;
    }

    private static Command BroadcastCommand()
    {
        var text = new Argument<string>("text") { Description = "the announcement (quote it; at most 2,000 bytes)" };
        var ttl = new Option<string>("--ttl") { Description = "how long new connections still get it: 90s, 30m, 24h, 2d (at most 7d)", HelpName = "DURATION", DefaultValueFactory = _ => "24h" };
        var command = new Command("broadcast", "an emergency announcement, signed by the server key, to every connected client and to each that connects while it lasts");
        command.Arguments.Add(text);
        command.Options.Add(ttl);
        command.SetAction(async (parsed, token) =>
        {
            var lifetime = Duration.Parse(parsed.GetValue(ttl)!);
            var result = await AdminClient.AskAsync(SocketPath(parsed), new JsonObject
            {
                ["command"] = "broadcast",
                ["text"] = parsed.GetValue(text),
                ["ttlSeconds"] = lifetime.TotalSeconds,
            }, token);
            Console.Out.WriteLine(parsed.GetValue(Json) ? result.ToJsonString()
                : $"broadcast sent to {result["connectionsNow"]} connection(s) now; clients that connect in the next {parsed.GetValue(ttl)} get it too");
            return 0;
        });
        return command;
    }

    private static Command Ask(string name, string description, Func<JsonObject, string> format)
    {
        var command = new Command(name, description);
        command.SetAction(async (parsed, token) =>
        {
            var result = await AdminClient.AskAsync(SocketPath(parsed), new JsonObject { ["command"] = name }, token);
            Console.Out.WriteLine(parsed.GetValue(Json) ? result.ToJsonString() : format(result));
            return 0;
        });
        return command;
    }

    private static string SocketPath(ParseResult parsed) =>
        parsed.GetValue(Socket) ?? Path.Combine(Path.GetFullPath(parsed.GetValue(Data) ?? NonEmpty(Environment.GetEnvironmentVariable("PURR_DATA")) ?? "./data"), "purrd.sock");

    private static string? NonEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private static string FormatStatus(JsonObject status)
    {
        var text = new StringBuilder();
        var uptime = TimeSpan.FromSeconds(status["uptimeSeconds"]!.GetValue<long>());
        text.Append(CultureInfo.InvariantCulture, $"purrd {status["version"]}, up {(int)uptime.TotalDays}d {uptime:hh\\:mm\\:ss}\n");
        text.Append(CultureInfo.InvariantCulture, $"modules: {string.Join(", ", status["modules"]!.AsArray().Select(m => m!.GetValue<string>()))}\n");
        foreach (var (section, values) in status.Where(p => p.Value is JsonObject))
        {
            text.Append(CultureInfo.InvariantCulture, $"{section}: {string.Join(", ", values!.AsObject().Select(v => $"{v.Key} {v.Value}"))}\n");
        }

        return text.ToString().TrimEnd('\n');
    }

    private static string FormatSections(JsonObject sections)
    {
        var text = new StringBuilder();
        foreach (var (section, values) in sections)
        {
            text.Append(CultureInfo.InvariantCulture, $"{section}:\n");
            foreach (var (key, value) in values!.AsObject())
            {
                text.Append(CultureInfo.InvariantCulture, $"  {key,-34} {(value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString(JsonOptions))}\n");
            }
        }

        return text.ToString().TrimEnd('\n');
    }

    private static readonly JsonSerializerOptions JsonOptions = new();
}
