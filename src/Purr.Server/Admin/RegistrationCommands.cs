using System.Text.Json.Nodes;
using Purr.Core.Registration;
using Purr.Server.Registration;

namespace Purr.Server.Admin;

/// <summary>
/// The admin socket's invites.* and accounts.* commands. Answers name invites and accounts, which the operator
/// made; nothing here can name a mailbox, because nothing the server keeps links one to either.
/// </summary>
internal sealed class RegistrationCommands(RegistrationAdmin registration)
{
    public static bool Handles(string? command) => command is not null && (command.StartsWith("invites.", StringComparison.Ordinal) || command.StartsWith("accounts.", StringComparison.Ordinal));

    public async Task<JsonObject> AnswerAsync(string command, JsonNode request, CancellationToken cancellationToken)
    {
        try
        {
            return command switch
            {
                "invites.create" => await CreateInviteAsync(request, cancellationToken),
                "invites.list" => new JsonObject { ["policy"] = PolicyName, ["invites"] = new JsonArray([.. (await registration.ListInvitesAsync(cancellationToken)).Select(Describe)]) },
                "invites.revoke" => Changed(await registration.RevokeInviteAsync(Text(request, "id"), cancellationToken), "no invite has that id"),
                "accounts.add" => Changed(await registration.AddAccountAsync(Text(request, "name"), Text(request, "password"), cancellationToken), "an account with that name exists"),
                "accounts.passwd" => Changed(await registration.SetAccountPasswordAsync(Text(request, "name"), Text(request, "password"), cancellationToken), "no account has that name"),
                "accounts.remove" => Changed(await registration.RemoveAccountAsync(Text(request, "name"), cancellationToken), "no account has that name"),
                "accounts.list" => new JsonObject
                {
                    ["policy"] = PolicyName,
                    ["accounts"] = new JsonArray([.. (await registration.ListAccountsAsync(cancellationToken)).Select(a => (JsonNode)new JsonObject
                    {
                        ["name"] = a.Name,
                        ["createdAt"] = a.CreatedAt.ToString("O"),
                    })]),
                },
                _ => throw new ArgumentException($"unknown command '{command}'"),
            };
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            return new JsonObject { ["error"] = e.Message };
        }
    }

    private string PolicyName => registration.Policy.ToString().ToLowerInvariant();

    private async Task<JsonObject> CreateInviteAsync(JsonNode request, CancellationToken cancellationToken)
    {
        var seconds = request["expiresInSeconds"]?.GetValue<double>();
        var (invite, link) = await registration.CreateInviteAsync(
            request["tokens"]?.GetValue<int>(), seconds is { } s ? TimeSpan.FromSeconds(s) : null, request["label"]?.GetValue<string>() ?? "", cancellationToken);
        var answer = Describe(invite)!.AsObject();
        answer["link"] = link;
        answer["policy"] = PolicyName;
        return answer;
    }

    private static JsonNode? Describe(InviteRecord invite) => new JsonObject
    {
        ["id"] = invite.Id,
        ["label"] = invite.Label,
        ["tokensLeft"] = invite.TokensLeft,
        ["createdAt"] = invite.CreatedAt.ToString("O"),
        ["expiresAt"] = invite.ExpiresAt?.ToString("O"),
    };

    private static JsonObject Changed(bool changed, string otherwise) =>
        changed ? new JsonObject { ["changed"] = true } : throw new ArgumentException(otherwise);

    private static string Text(JsonNode request, string name) =>
        request[name]?.GetValue<string>() is { Length: > 0 } value ? value : throw new ArgumentException($"'{name}' is required");
}
