using System.Text.Json;
using System.Text.Json.Nodes;
using Purr.Client.History;
using Purr.Crypto;

namespace Purr.Client.Profiles;

/// <summary>
/// A profile carried to another client, the CLI or the browser (PROTOCOL.md section 9, "Portable profiles"): the profile
/// file's encrypted format around the profile's JSON, with the chats' history added as a "History" array of history
/// entries. It is a move, not a copy to use side by side: the ratchets in it advance on whichever side uses them.
/// </summary>
public static class PortableProfile
{
    public const string HistoryProperty = "History";

    /// <summary>The most an export may be: far above any real profile, low enough that a stray file is refused unread.</summary>
    public const long MaxBytes = 64L * 1024 * 1024;

    /// <summary>
    /// The export of <paramref name="data"/> with <paramref name="history"/>, sealed under the profile's own passphrase key
    /// (an unencrypted profile asks <paramref name="passphrase"/> for one).
    /// </summary>
    public static byte[] Export(ProfileFile file, ProfileData data, IEnumerable<HistoryEntry> history, Func<string> passphrase, Argon2Cost? cost = null)
    {
        var bytes = ToJson(data, history);
        try
        {
            return file.SealElsewhere(bytes, passphrase, cost);
        }
        finally
        {
            ConstantTime.Zero(bytes);
        }
    }

    /// <summary>The export's JSON (what the file seals): the profile's JSON with "History" added.</summary>
    public static byte[] ToJson(ProfileData data, IEnumerable<HistoryEntry> history)
    {
        var json = JsonSerializer.SerializeToNode(data)!.AsObject();
        json[HistoryProperty] = new JsonArray([.. history.Select(e => JsonSerializer.SerializeToNode(MessageHistory.Stored.From(e), HistoryJson.Default.Stored))]);
        return JsonSerializer.SerializeToUtf8Bytes(json);
    }

    /// <summary>Opens an export with its passphrase; <paramref name="what"/> names the file in errors.</summary>
    public static (ProfileData Data, IReadOnlyList<HistoryEntry> History) Import(byte[] bytes, string passphrase, string what)
    {
        var (json, _, _) = ProfileFile.Unseal(bytes, passphrase, what);
        try
        {
            return FromJson(json, what);
        }
        finally
        {
            ConstantTime.Zero(json);
        }
    }

    /// <summary>The profile and history in an export's JSON, checked as <see cref="Import"/> checks them.</summary>
    public static (ProfileData Data, IReadOnlyList<HistoryEntry> History) FromJson(byte[] json, string what)
    {
        var data = ProfileFile.Parse(json);
        var history = new List<HistoryEntry>();
        try
        {
            if (JsonNode.Parse(json) is JsonObject root && root[HistoryProperty] is JsonArray entries)
            {
                foreach (var entry in entries)
                {
                    if (entry?.Deserialize(HistoryJson.Default.Stored) is { Chat: not null, Text: not null, MessageId: not null } stored)
                    {
                        history.Add(stored.ToEntry());
                    }
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentOutOfRangeException)
        {
            throw new ProfileException($"{what} has a damaged history (its entries could not be read); nothing was changed", e);
        }

        Check(data, what);
        return (data, history);
    }

    /// <summary>What a profile needs before any command can use it: a server, and names that tell its chats apart.</summary>
    private static void Check(ProfileData data, string what)
    {
        if (data.Version != 1)
        {
            throw new ProfileException($"{what} holds a profile of version {data.Version}; this Purr reads version 1");
        }

        if (!Protocol.PurrAddress.TryParse(data.Server, out _, out _))
        {
            throw new ProfileException($"{what} names no valid home server; nothing was changed");
        }

        var names = data.Contacts.Select(c => c.Name).Concat(data.Invites.Select(i => i.Name)).ToList();
        if (names.Any(string.IsNullOrWhiteSpace) || names.Distinct(StringComparer.Ordinal).Count() != names.Count
            || data.Rooms.Select(r => r.Name).Distinct(StringComparer.Ordinal).Count() != data.Rooms.Count)
        {
            throw new ProfileException($"{what} has contacts or rooms without a name, or two with one name; nothing was changed");
        }
    }
}
