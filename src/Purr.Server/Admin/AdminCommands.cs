using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Purr.Server.Modules;

namespace Purr.Server.Admin;

/// <summary>What the admin socket answers: one JSON request line in, one JSON answer line out.</summary>
internal sealed class AdminCommands(
    IEnumerable<IOperatorReport> reports, EnabledModules modules, Broadcasts broadcasts, RegistrationCommands registration, TimeProvider time)
{
    private readonly DateTimeOffset started = time.GetUtcNow();

    public async Task<JsonObject> AnswerAsync(string line, CancellationToken cancellationToken)
    {
        string? command;
        JsonNode? request;
        try
        {
            request = JsonNode.Parse(line);
            command = request?["command"]?.GetValue<string>();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return Error("the request is not {\"command\": \"…\"}");
        }

        if (RegistrationCommands.Handles(command))
        {
            var answer = await registration.AnswerAsync(command!, request!, cancellationToken);
            return answer["error"] is { } failed ? Error(failed.GetValue<string>()) : Ok(answer);
        }

        return command switch
        {
            "status" => Ok(await StatusAsync(cancellationToken)),
            "limits" => Ok(Limits()),
            "modules" => Ok(new JsonObject { ["modules"] = new JsonArray([.. modules.Names.Select(n => (JsonNode)n)]) }),
            "broadcast" => Broadcast(request!),
            _ => Error($"unknown command '{command}'; the admin socket answers status, limits, modules, broadcast, invites.* and accounts.*"),
        };
    }

    private JsonObject Broadcast(JsonNode request)
    {
        try
        {
            var text = request["text"]?.GetValue<string>() ?? "";
            var lifetime = TimeSpan.FromSeconds(request["ttlSeconds"]?.GetValue<double>() ?? 0);
            var reached = broadcasts.Send(text, lifetime);
            return Ok(new JsonObject { ["connectionsNow"] = reached, ["expiresInSeconds"] = (long)lifetime.TotalSeconds });
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            return Error(e.Message);
        }
    }

    private async Task<JsonObject> StatusAsync(CancellationToken cancellationToken)
    {
        var status = new JsonObject
        {
            ["version"] = typeof(AdminCommands).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "",
            ["uptimeSeconds"] = (long)(time.GetUtcNow() - started).TotalSeconds,
            ["modules"] = new JsonArray([.. modules.Names.Select(n => (JsonNode)n)]),
            ["broadcastsActive"] = broadcasts.ActiveCount,
        };
        foreach (var report in reports)
        {
            status[report.Section] = Modules.OptionValues.ToJson(await report.StatusAsync(cancellationToken));
        }

        return status;
    }

    private JsonObject Limits()
    {
        var limits = new JsonObject();
        foreach (var report in reports)
        {
            limits[report.Section] = Modules.OptionValues.ToJson(report.Settings());
        }

        return limits;
    }

    private static JsonObject Ok(JsonObject result) => new() { ["ok"] = true, ["result"] = result };

    private static JsonObject Error(string message) => new() { ["ok"] = false, ["error"] = message };
}
