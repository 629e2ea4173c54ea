using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Purr.Client.Profiles;
using Purr.Crypto;

namespace Purr.Client.History;

/// <summary>
/// The messages of a profile's chats, kept on this device (PROTOCOL.md section 9, "History"): <c>history.purr</c> beside
/// the profile, "PURRHIS1" ‖ 0x01, then records appended one per message, each u32 BE length ‖ nonce (24) ‖
/// XChaCha20-Poly1305(JSON entry) under a key derived from the profile's passphrase key (associated data: the 9-byte
/// header). An unencrypted profile (--no-passphrase) writes 0x00 and the JSON in clear, like the profile itself.
/// Appends are flushed to disk; a record cut short by a crash is skipped when reading. Deleting rewrites the file
/// through a temporary one renamed over it.
/// </summary>
public sealed class MessageHistory
{
    public const string FileName = "history.purr";
    private static readonly byte[] Magic = "PURRHIS1"u8.ToArray();
    private const int NonceBytes = 24;

    /// <summary>A record above this is damage, not a message (texts are bounded by the envelope size).</summary>
    private const int MaxRecordBytes = 1024 * 1024;

    private readonly string path;
    private readonly byte[]? key;
    private readonly byte[] header;
    private readonly Lock gate = new();
    private readonly TimeProvider time;

    public MessageHistory(ProfileFile profile, TimeProvider? time = null)
    {
        this.time = time ?? TimeProvider.System;
        path = Path.Combine(profile.Directory, FileName);
        key = profile.DeriveFileKey("history");
        header = [.. Magic, key is null ? (byte)0 : (byte)1];
    }

    public void Append(HistoryEntry entry) => Append([entry]);

    /// <summary>Appends entries in order (an imported profile's history) with one flush to disk.</summary>
    public void Append(IReadOnlyCollection<HistoryEntry> entries)
    {
        if (entries.Count == 0)
        {
            return;
        }

        var records = entries.Select(e => Seal(JsonSerializer.SerializeToUtf8Bytes(Stored.From(e), HistoryJson.Default.Stored))).ToList();
        lock (gate)
        {
            var fresh = !File.Exists(path);
            using var stream = new FileStream(path, Options(FileMode.Append));
            if (fresh || stream.Length == 0)
            {
                stream.Write(header);
            }

            Span<byte> length = stackalloc byte[4];
            foreach (var record in records)
            {
                BinaryPrimitives.WriteUInt32BigEndian(length, (uint)record.Length);
                stream.Write(length);
                stream.Write(record);
            }

            stream.Flush(flushToDisk: true);
        }
    }

    /// <summary>
    /// Every entry, oldest first, but those whose disappearing timer ran out: those are deleted from the file now (sealed
    /// afresh, like any delete). Throws <see cref="ProfileException"/> when the file is not this profile's.
    /// </summary>
    public IReadOnlyList<HistoryEntry> Read()
    {
        lock (gate)
        {
            var entries = ReadLocked();
            var now = time.GetUtcNow();
            var kept = entries.Where(e => e.ExpiresAt is not { } expires || expires > now).ToList();
            if (kept.Count != entries.Count)
            {
                RewriteLocked(kept);
            }

            return kept;
        }
    }

    /// <summary>Deletes the disappearing messages whose time is up; returns how many.</summary>
    public int DeleteExpired()
    {
        var now = time.GetUtcNow();
        return Delete(e => e.ExpiresAt is { } expires && expires <= now);
    }

    /// <summary>The entries of one chat (a contact's, or with <paramref name="room"/> a room's), filtered; the newest <paramref name="limit"/> of them, oldest first.</summary>
    public IReadOnlyList<HistoryEntry> Chat(string chat, string? search = null, DateTimeOffset? since = null, int limit = int.MaxValue, bool room = false) =>
    [
        .. Read()
            .Where(e => e.Chat == chat && e.Room == room
                && (search is null || e.Text.Contains(search, StringComparison.OrdinalIgnoreCase))
                && (since is null || e.At >= since))
            .TakeLast(limit),
    ];

    /// <summary>Removes the entries that match and returns how many; the rest is rewritten, sealed afresh.</summary>
    public int Delete(Func<HistoryEntry, bool> match)
    {
        lock (gate)
        {
            var entries = ReadLocked();
            var kept = entries.Where(e => !match(e)).ToList();
            if (kept.Count == entries.Count)
            {
                return 0;
            }

            RewriteLocked(kept);
            return entries.Count - kept.Count;
        }
    }

    /// <summary>The file with only <paramref name="kept"/>, each record sealed afresh, through a temporary file renamed over it.</summary>
    private void RewriteLocked(List<HistoryEntry> kept)
    {
        var temporary = path + $".{Guid.NewGuid():N}.tmp";
        using (var stream = new FileStream(temporary, Options(FileMode.CreateNew)))
        {
            stream.Write(header);
            Span<byte> length = stackalloc byte[4];
            foreach (var entry in kept)
            {
                var record = Seal(JsonSerializer.SerializeToUtf8Bytes(Stored.From(entry), HistoryJson.Default.Stored));
                BinaryPrimitives.WriteUInt32BigEndian(length, (uint)record.Length);
                stream.Write(length);
                stream.Write(record);
            }

            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    private List<HistoryEntry> ReadLocked()
    {
        if (!File.Exists(path))
        {
            return [];
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < header.Length || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new ProfileException($"{path} is not a Purr history file");
        }

        if (bytes[Magic.Length] != header[^1])
        {
            throw new ProfileException($"{path} was written by a profile {(bytes[Magic.Length] == 1 ? "with" : "without")} a passphrase; it cannot be read with this one");
        }

        var entries = new List<HistoryEntry>();
        // A message written twice (received again after a crash, before the profile saved that it was seen) counts once.
        var seen = new HashSet<(string, bool, bool, string)>();
        for (var offset = header.Length; offset + 4 <= bytes.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset));
            if (length > MaxRecordBytes || offset + 4 + length > bytes.Length)
            {
                // A record cut short by a crash (only the last can be): what came before stands.
                break;
            }

            var plain = Open(bytes.AsSpan(offset + 4, length))
                ?? throw new ProfileException($"{path} does not open with this profile's key (another profile's history, or damaged)");
            try
            {
                if (JsonSerializer.Deserialize(plain, HistoryJson.Default.Stored) is { } stored && seen.Add((stored.Chat, stored.Room == true, stored.Outgoing, stored.MessageId)))
                {
                    entries.Add(stored.ToEntry());
                }
            }
            catch (JsonException)
            {
                // A record this version cannot read: skipped, not fatal.
            }
            finally
            {
                ConstantTime.Zero(plain);
            }

            offset += 4 + length;
        }

        return entries;
    }

    private byte[] Seal(byte[] json)
    {
        if (key is null)
        {
            return json;
        }

        var nonce = SecureRandom.Bytes(NonceBytes);
        var sealedRecord = (byte[])[.. nonce, .. Aead.XChaCha20Poly1305.Encrypt(key, nonce, json, header)];
        ConstantTime.Zero(json);
        return sealedRecord;
    }

    private byte[]? Open(ReadOnlySpan<byte> record) =>
        key is null
            ? record.ToArray()
            : record.Length < NonceBytes + Aead.TagBytes ? null : Aead.XChaCha20Poly1305.Decrypt(key, record[..NonceBytes], record[NonceBytes..], header);

    private static FileStreamOptions Options(FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return options;
    }

    /// <summary>The JSON form of an entry: short names, times in unix seconds.</summary>
    internal sealed record Stored(
        [property: JsonPropertyName("c")] string Chat,
        [property: JsonPropertyName("o")] bool Outgoing,
        [property: JsonPropertyName("t")] string Text,
        [property: JsonPropertyName("at")] long At,
        [property: JsonPropertyName("id")] string MessageId,
        [property: JsonPropertyName("x"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? ExpiresAt = null,
        [property: JsonPropertyName("r"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Room = null,
        [property: JsonPropertyName("f"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Sender = null)
    {
        public static Stored From(HistoryEntry entry) =>
            new(entry.Chat, entry.Outgoing, entry.Text, entry.At.ToUnixTimeSeconds(), entry.MessageId, entry.ExpiresAt?.ToUnixTimeSeconds(),
                entry.Room ? true : null, entry.Sender);

        public HistoryEntry ToEntry() =>
            new(Chat, Outgoing, Text, DateTimeOffset.FromUnixTimeSeconds(At), MessageId, ExpiresAt is { } x ? DateTimeOffset.FromUnixTimeSeconds(x) : null,
                Room == true, Sender);
    }
}

[JsonSerializable(typeof(MessageHistory.Stored))]
internal sealed partial class HistoryJson : JsonSerializerContext;
