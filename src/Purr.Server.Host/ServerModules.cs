using Purr.Server.Admin;
using Purr.Server.Handles;
using Purr.Server.Mailboxes;
using Purr.Server.Modules;
using Purr.Server.Rooms;

namespace Purr.Server.Host;

/// <summary>
/// The modules this purrd is built with; configuration ("Modules") picks among them. Adding a module is its
/// folder plus one line here.
/// </summary>
internal static class ServerModules
{
    public static IReadOnlyList<IPurrModule> Offered => [new MailboxModule(), new RoomModule(), new DirectoryModule(), new AdminModule(), new Purr.Server.Federation.FederationModule()];
}
