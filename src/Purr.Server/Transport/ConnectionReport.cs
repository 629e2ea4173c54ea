using Microsoft.Extensions.Options;
using Purr.Server.Modules;

namespace Purr.Server.Transport;

/// <summary>The core's part of purrctl status and limits: connections and sockets, and the connection limits.</summary>
internal sealed class ConnectionReport(ConnectionAdmission connections, SocketAdmission sockets, IOptions<ConnectionLimitsOptions> options) : IOperatorReport
{
    public string Section => "connections";

    public ValueTask<IReadOnlyDictionary<string, object>> StatusAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyDictionary<string, object>>(new Dictionary<string, object>
        {
            ["open"] = connections.Open,
            ["sockets"] = sockets.Open,
            ["maxSockets"] = sockets.MaxSockets,
        });

    public IReadOnlyDictionary<string, object> Settings() => OptionValues.Of(options.Value);
}
