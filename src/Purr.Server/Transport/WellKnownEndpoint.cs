using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Purr.Protocol;
using Purr.Protocol.V1;
using Purr.Server.Identity;
using Purr.Server.Modules;

namespace Purr.Server.Transport;

/// <summary>GET /.well-known/purr: what a client needs to know before it connects. Public data only.</summary>
internal static class WellKnownEndpoint
{
    public const string Path = "/.well-known/purr";

    public static Task HandleAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var identity = services.GetRequiredService<ServerIdentity>();
        var limits = services.GetRequiredService<Limits>();
        var host = context.Request.Host;
        var port = host.Port ?? (context.Request.IsHttps ? 443 : 80);
        var transports = services.GetRequiredService<AdvertisedTransports>();
        var address = transports.Address(identity.IdentityKey, host.Host, port);
        return JsonResponses.WriteAsync(context, new JsonObject
        {
            ["address"] = address.ToString(),
            ["identityKey"] = Base64Url.Encode(identity.IdentityKey),
            ["x25519Key"] = Base64Url.Encode(identity.X25519Key),
            ["x25519Signature"] = Base64Url.Encode(identity.X25519Signature),
            ["protocolVersion"] = ProtocolVersion.Current,
            ["minProtocolVersion"] = ProtocolVersion.Min,
            ["maxProtocolVersion"] = ProtocolVersion.Max,
            ["webSocketPath"] = WebSocketEndpoint.Path,
            ["transports"] = new JsonArray([.. address.Endpoints().Select(e => (JsonNode?)e.ToString())]),
            ["modules"] = new JsonArray([.. services.GetRequiredService<EnabledModules>().Names.Select(n => (JsonNode?)n)]),
            ["registration"] = Registration.RegistrationInfoFactory.Name(services.GetRequiredService<RegistrationInfo>().Policy),
            ["federation"] = services.GetService<Federation.FederationPolicy>() is { } federation ? Federation.CatalogEndpoint.Name(federation.Mode) : "off",
            ["limits"] = new JsonObject
            {
                ["maxFrameBytes"] = limits.MaxFrameBytes,
                ["maxMessageBytes"] = limits.MaxMessageBytes,
                ["defaultLifetimeSeconds"] = limits.DefaultLifetimeSeconds,
                ["maxLifetimeSeconds"] = limits.MaxLifetimeSeconds,
                ["mailboxQuota"] = limits.MailboxQuota,
                ["maxSubscriptions"] = limits.MaxSubscriptions,
                ["requestsPerSecond"] = limits.RequestsPerSecond,
            },
        });
    }
}
