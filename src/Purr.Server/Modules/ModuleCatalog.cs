using Purr.Server.Mailboxes;
using Purr.Server.Rooms;

namespace Purr.Server.Modules;

/// <summary>Every module this build knows, by the name configuration uses to switch it on.</summary>
public static class ModuleCatalog
{
    public static readonly IReadOnlyDictionary<string, Func<IPurrModule>> Known =
        new Dictionary<string, Func<IPurrModule>>(StringComparer.OrdinalIgnoreCase)
        {
            ["mailboxes"] = () => new MailboxModule(),
            ["rooms"] = () => new RoomModule(),
        };

    public static readonly string[] Defaults = ["mailboxes", "rooms"];
}
