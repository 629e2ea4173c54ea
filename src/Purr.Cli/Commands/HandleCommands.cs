using System.CommandLine;
using Purr.Client.Messaging;
using static Purr.Cli.CommandBuilding;

namespace Purr.Cli.Commands;

/// <summary>`purr handle …` and `purr directory …`: a public name for your contact address, and the server's opt-in directory.</summary>
internal static class HandleCommands
{
    private static readonly Argument<string> Name = Positional("name", "the handle: 3 to 32 of a-z, 0-9, '.', '_' and '-'");
    private static readonly Argument<string> Query = Positional("query", "the start of a handle, or of a word in a description");
    private static readonly Option<string?> Description = Text("--description", "a short description others see (at most 140 characters)", "TEXT");
    private static readonly Option<double> FreeHours = FreeHoursOption();
    private static readonly Option<bool> FreeOnly = Flag("--free", "only people free for chat now");
    private static readonly Option<string?> Server = Text("--server", "the server whose directory to search (default: the profile's)", "ADDRESS");

    public static IEnumerable<Command> All() =>
    [
        new Command("handle", "a public name (name@server) for your contact address; handles are public by nature").With(
            new Command("register", "register the handle on your address's server").With(Name).Runs(RegisterAsync),
            new Command("release", "give the handle up (and leave the directory)").Runs(ReleaseAsync),
            new Command("show", "print your handle").Runs(ShowAsync)),
        new Command("directory", "the server's opt-in directory of handles").With(
            new Command("list-me", "list your handle, with a description and a 'free for chat' status that expires").With(Description, FreeHours).Runs(ListMeAsync),
            new Command("unlist", "leave the directory at once").Runs(UnlistAsync),
            new Command("search", "find listed handles by name or description word").With(Query, FreeOnly, Server).Runs(SearchAsync)),
    ];

    private static Option<double> FreeHoursOption()
    {
        var option = new Option<double>("--free-for") { Description = "show 'free for chat' for this many hours (0: not free)", HelpName = "HOURS" };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is < 0 or > 24 * 30)
            {
                result.AddError("--free-for must be between 0 and 720 hours");
            }
        });
        return option;
    }

    private static async Task<int> RegisterAsync(CliContext context)
    {
        await using var messenger = context.OpenMessenger();
        var handle = await messenger.RegisterHandleAsync(context.Value(Name));
        context.Out.Result(new { handle }, $"your handle is {handle}; anyone can ask for contact with: purr connect {handle} --name NAME");
        return 0;
    }

    private static async Task<int> ReleaseAsync(CliContext context)
    {
        await using var messenger = context.OpenMessenger();
        await messenger.ReleaseHandleAsync();
        context.Out.Result(new { released = true }, "handle released (and out of the directory)");
        return 0;
    }

    private static async Task<int> ShowAsync(CliContext context)
    {
        await using var messenger = context.OpenMessenger();
        var handle = messenger.Handle ?? throw new MessengerException("this profile has no handle: 'purr handle register NAME'");
        context.Out.Result(new { handle }, handle);
        return 0;
    }

    private static async Task<int> ListMeAsync(CliContext context)
    {
        await using var messenger = context.OpenMessenger();
        var hours = context.Value(FreeHours);
        await messenger.SetListingAsync(true, context.Value(Description) ?? "", TimeSpan.FromHours(hours));
        context.Out.Result(new { listed = true, freeForHours = hours }, hours > 0 ? $"listed, free for chat for {hours:0.#} hours" : "listed");
        return 0;
    }

    private static async Task<int> UnlistAsync(CliContext context)
    {
        await using var messenger = context.OpenMessenger();
        await messenger.SetListingAsync(false);
        context.Out.Result(new { listed = false }, "out of the directory");
        return 0;
    }

    private static async Task<int> SearchAsync(CliContext context)
    {
        await using var messenger = context.OpenMessenger();
        var entries = await messenger.SearchDirectoryAsync(context.Value(Query), context.Value(FreeOnly), context.Value(Server));
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var rows = entries.Select(e => new { name = e.Name, description = e.Description, freeForChat = e.FreeForChatUntil > now }).ToList();
        context.Out.Result(rows, rows.Count == 0 ? "nobody listed matches" : string.Join('\n', rows.Select(r => $"{r.name}\t{(r.freeForChat ? "free for chat" : "")}\t{r.description}")));
        return 0;
    }
}
