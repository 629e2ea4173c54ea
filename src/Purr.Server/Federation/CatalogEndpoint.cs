using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Purr.Protocol;
using Purr.Server.Identity;
using Purr.Server.Modules;
using Purr.Server.Transport;

namespace Purr.Server.Federation;

/// <summary>
/// GET /.well-known/purr/catalog (PROTOCOL.md 15.4): the servers this server's operator lists (Federation:Peers with
/// Listed), signed by this server's identity key, so a client that pins this server's key can trust the list as its
/// operator's word wherever it got it.
/// </summary>
internal static class CatalogEndpoint
{
    public const string Path = "/.well-known/purr/catalog";

    public static Task HandleAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var identity = services.GetRequiredService<ServerIdentity>();
        var policy = services.GetRequiredService<FederationPolicy>();
        var time = services.GetRequiredService<TimeProvider>();
        var host = context.Request.Host;
        var address = services.GetRequiredService<AdvertisedTransports>().Address(identity.IdentityKey, host.Host, host.Port ?? (context.Request.IsHttps ? 443 : 80));
        var peers = new JsonArray();
        foreach (var peer in policy.Peers.Where(p => p.Listed))
        {
            peers.Add((JsonNode)new JsonObject
            {
                ["address"] = peer.Address.ToString(),
                ["identityKey"] = Base64Url.Encode(peer.Address.IdentityKey),
                ["relays"] = peer.Relays,
            });
        }

        var body = new JsonObject
        {
            ["server"] = address.ToString(),
            ["federation"] = Name(policy.Mode),
            ["publishedAt"] = time.GetUtcNow().ToUnixTimeSeconds(),
            ["peers"] = peers,
        };
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        return JsonResponses.WriteAsync(context, new JsonObject
        {
            ["body"] = Base64Url.Encode(bytes),
            ["signature"] = Base64Url.Encode(identity.Sign(SignedBytes.ServerCatalog(bytes))),
        });
    }

    public static string Name(FederationMode mode) => mode switch
    {
        FederationMode.Open => "open",
        FederationMode.Allowlist => "allowlist",
        _ => "off",
    };
}
