using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Purr.Server.Transport;

namespace Purr.Server;

public static class PurrEndpointRouteBuilderExtensions
{
    /// <summary>Maps the WebSocket endpoint, /.well-known/purr, /healthz, /readyz and /metrics. Call after UseWebSockets.</summary>
    public static IEndpointRouteBuilder MapPurr(this IEndpointRouteBuilder endpoints)
    {
        var services = endpoints.ServiceProvider;
        endpoints.Map(WebSocketEndpoint.Path, context => WebSocketEndpoint.HandleAsync(context, services));
        endpoints.MapGet(WellKnownEndpoint.Path, WellKnownEndpoint.HandleAsync);
        foreach (var endpoint in services.GetServices<Modules.IHttpEndpoint>())
        {
            endpoints.MapGet(endpoint.Pattern, endpoint.Handler);
        }

        Metrics.MetricsEndpoints.Map(endpoints);
        return endpoints;
    }
}
