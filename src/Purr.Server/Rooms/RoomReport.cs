using Microsoft.Extensions.Options;
using Purr.Server.Modules;

namespace Purr.Server.Rooms;

/// <summary>The room module's part of purrctl status and limits.</summary>
internal sealed class RoomReport(RoomRegistry registry, IOptions<RoomOptions> options) : IOperatorReport
{
    public string Section => "rooms";

    public ValueTask<IReadOnlyDictionary<string, object>> StatusAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyDictionary<string, object>>(new Dictionary<string, object> { ["live"] = registry.LiveCount });

    public IReadOnlyDictionary<string, object> Settings() => OptionValues.Of(options.Value);
}
