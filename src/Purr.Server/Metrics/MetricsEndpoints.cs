using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Prometheus;
using Purr.Core.Ids;
using Purr.Core.Mailboxes;

namespace Purr.Server.Metrics;

/// <summary>/metrics (OpenMetrics text, local only unless allowed), /healthz (alive) and /readyz (store answers, not stopping).</summary>
internal static class MetricsEndpoints
{
    private static readonly TimeSpan StoreProbeTimeout = TimeSpan.FromSeconds(2);

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        // RequestDelegates, not minimal-API delegates: purrd runs as native AOT.
        endpoints.MapGet("/healthz", context => Results.Text("ok\n").ExecuteAsync(context));
        endpoints.MapGet("/readyz", async context => await (await ReadyAsync(context)).ExecuteAsync(context));
        var services = endpoints.ServiceProvider;
        var options = services.GetRequiredService<IOptions<MetricsOptions>>().Value;
        if (!options.Enabled)
        {
            return;
        }

        var metrics = services.GetRequiredService<ServerMetrics>();
        OperatorGauges.Attach(metrics, services.GetServices<Modules.IOperatorReport>());
        endpoints.MapMetrics("/metrics", metrics.Registry).AddEndpointFilter(async (context, next) =>
            options.AllowRemote || IsLocalAndDirect(context.HttpContext) ? await next(context) : Results.NotFound());
    }

    private static bool IsLocalAndDirect(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote)
        && !context.Request.Headers.ContainsKey("X-Forwarded-For") && !context.Request.Headers.ContainsKey("Forwarded");

    private static async Task<IResult> ReadyAsync(HttpContext context)
    {
        var services = context.RequestServices;
        if (services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested)
        {
            return Results.Text("stopping\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            timeout.CancelAfter(StoreProbeTimeout);
            // One indexed lookup, as cheap as any stranger's Fetch: /readyz is public and must not cost a table scan.
            await services.GetRequiredService<IMailboxStore>().FindByReceiveIdAsync(OpaqueId.NewRandom(), timeout.Token);
            return Results.Text("ready\n");
        }
        catch (Exception e) when (e is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            return Results.Text("the store does not answer\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
