using Microsoft.Extensions.Options;
using Purr.Server.Modules;

namespace Purr.Server.Rooms;

/// <summary>The room module's part of purrctl status and limits.</summary>
internal sealed class RoomReport(RoomRegistry registry, ITransientRoomStore transientRooms, IOptions<RoomOptions> options) : IOperatorReport
{
    public string Section => "rooms";

    /// <summary>"live": rooms with an entry in this process; "transient": transient rooms alive in their store.</summary>
    public async ValueTask<IReadOnlyDictionary<string, object>> StatusAsync(CancellationToken cancellationToken) =>
        new Dictionary<string, object> { ["live"] = registry.LiveCount, ["transient"] = await transientRooms.CountAsync(cancellationToken) };

    public IReadOnlyDictionary<string, object> Settings() => OptionValues.Of(options.Value);
}
