using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Purr.Ctl;

/// <summary>purrctl invites … and purrctl accounts …: the operator's side of the registration policies.</summary>
internal static class RegistrationCtlCommands
{
    public static Command Invites(Func<ParseResult, string> socket, Option<bool> json)
    {
        var tokens = new Option<int?>("--tokens") { Description = "mailboxes and rooms the invite can create in all (default: Registration:DefaultInviteTokens, 50)", HelpName = "N" };
        var expires = new Option<string?>("--expires") { Description = "how long the invite can be redeemed: 90m, 24h, 7d (default: until revoked)", HelpName = "DURATION" };
        var label = new Option<string?>("--label") { Description = "a note for yourself (\"for the Smiths\"); only purrctl shows it", HelpName = "TEXT" };
        var create = new Command("create", "a new invite link (shown once; purrd keeps only a hash of its secret)");
        create.Options.Add(tokens);
        create.Options.Add(expires);
        create.Options.Add(label);
        create.SetAction(async (parsed, token) =>
        {
            var request = new JsonObject { ["command"] = "invites.create", ["label"] = parsed.GetValue(label) ?? "" };
            if (parsed.GetValue(tokens) is { } count)
            {
                request["tokens"] = count;
            }

            if (parsed.GetValue(expires) is { } lifetime)
            {
                request["expiresInSeconds"] = Duration.Parse(lifetime).TotalSeconds;
            }

            var result = await AdminClient.AskAsync(socket(parsed), request, token);
            Print(parsed, json, result, () =>
                $"{result["link"]}\ninvite {result["id"]}: {result["tokensLeft"]} mailboxes or rooms, {Expiry(result)}"
                + (result["policy"]!.GetValue<string>() == "invite" ? "" : $"\nnote: the registration policy is {result["policy"]}, not invite: set Registration:Policy=invite for invites to count"));
            return 0;
        });

        var list = new Command("list", "the invites that exist: id, label, what is left, expiry (never their links)");
        list.SetAction(async (parsed, token) =>
        {
            var result = await AdminClient.AskAsync(socket(parsed), new JsonObject { ["command"] = "invites.list" }, token);
            Print(parsed, json, result, () => Table(result["invites"]!.AsArray(), i => $"{i["id"]}  {i["tokensLeft"],6} left  {Expiry(i),-28} {i["label"]}", "no invites"));
            return 0;
        });

        var id = new Argument<string>("id") { Description = "the invite's id, as invites list shows it" };
        var revoke = new Command("revoke", "end an invite now; tokens already issued stay valid");
        revoke.Arguments.Add(id);
        revoke.SetAction(async (parsed, token) =>
        {
            var result = await AdminClient.AskAsync(socket(parsed), new JsonObject { ["command"] = "invites.revoke", ["id"] = parsed.GetValue(id) }, token);
            Print(parsed, json, result, () => $"invite {parsed.GetValue(id)} revoked");
            return 0;
        });

        var command = new Command("invites", "invite links for Registration:Policy=invite: people redeem them for unlinkable creation tokens");
        command.Subcommands.Add(create);
        command.Subcommands.Add(list);
        command.Subcommands.Add(revoke);
        return command;
    }

    public static Command Accounts(Func<ParseResult, string> socket, Option<bool> json)
    {
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "read the password from the first line of standard input instead of asking" };
        Command WithName(string name, string description, string wire, bool asksPassword, string done)
        {
            var account = new Argument<string>("name") { Description = "the account name: a-z, 0-9, '.', '_', '-'" };
            var command = new Command(name, description);
            command.Arguments.Add(account);
            if (asksPassword)
            {
                command.Options.Add(passwordStdin);
            }

            command.SetAction(async (parsed, token) =>
            {
                var request = new JsonObject { ["command"] = wire, ["name"] = parsed.GetValue(account) };
                if (asksPassword)
                {
                    request["password"] = ReadPassword(parsed.GetValue(passwordStdin));
                }

                var result = await AdminClient.AskAsync(socket(parsed), request, token);
                Print(parsed, json, result, () => string.Format(CultureInfo.InvariantCulture, done, parsed.GetValue(account)));
                return 0;
            });
            return command;
        }

        var list = new Command("list", "account names and when each was made");
        list.SetAction(async (parsed, token) =>
        {
            var result = await AdminClient.AskAsync(socket(parsed), new JsonObject { ["command"] = "accounts.list" }, token);
            Print(parsed, json, result, () => Table(result["accounts"]!.AsArray(), a => $"{a["name"],-24} since {a["createdAt"]}", "no accounts"));
            return 0;
        });

        var accounts = new Command("accounts", "named accounts for Registration:Policy=accounts (Argon2id password hashes; the server can link an account's mailboxes)");
        accounts.Subcommands.Add(WithName("add", "add an account (asks for its password)", "accounts.add", true, "account {0} added"));
        accounts.Subcommands.Add(list);
        accounts.Subcommands.Add(WithName("remove", "remove an account: it creates nothing more; what it made stays until deleted or expired", "accounts.remove", false, "account {0} removed"));
        accounts.Subcommands.Add(WithName("passwd", "set an account's password (asks for it)", "accounts.passwd", true, "password of {0} changed"));
        return accounts;
    }

    private static string ReadPassword(bool fromStdin)
    {
        if (fromStdin || Console.IsInputRedirected)
        {
            return Console.In.ReadLine() ?? throw new CtlException("no password on standard input");
        }

        var first = Prompt("password: ");
        if (Prompt("again: ") != first)
        {
            throw new CtlException("the two passwords differ; nothing changed");
        }

        return first;
    }

    private static string Prompt(string label)
    {
        Console.Error.Write(label);
        var text = new StringBuilder();
        while (Console.ReadKey(intercept: true) is var key && key.Key != ConsoleKey.Enter)
        {
            if (key.Key == ConsoleKey.Backspace && text.Length > 0)
            {
                text.Length--;
            }
            else if (!char.IsControl(key.KeyChar))
            {
                text.Append(key.KeyChar);
            }
        }

        Console.Error.WriteLine();
        return text.ToString();
    }

    private static string Expiry(JsonNode invite) =>
        invite["expiresAt"]?.GetValue<string>() is { } at ? $"redeemable until {at}" : "redeemable until revoked";

    private static string Table(JsonArray rows, Func<JsonNode, string> row, string empty) =>
        rows.Count == 0 ? empty : string.Join('\n', rows.Select(r => row(r!)));

    private static void Print(ParseResult parsed, Option<bool> json, JsonObject result, Func<string> text) =>
        Console.Out.WriteLine(parsed.GetValue(json) ? result.ToJsonString() : text());
}
