using Purr.Core.Handles;
using Purr.Protocol.V1;

namespace Purr.Server.Handles;

internal static class DirectoryEntries
{
    /// <summary>A listing as the wire shows it; a "free for chat" status that has run out shows as 0.</summary>
    public static DirectoryEntry From(HandleRecord handle, long now) =>
        new() { Name = handle.Name, Description = handle.Description, FreeForChatUntil = handle.FreeUntil > now ? handle.FreeUntil : 0 };
}
