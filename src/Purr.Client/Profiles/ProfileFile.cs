using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Purr.Crypto;

namespace Purr.Client.Profiles;

/// <summary>
/// The profile on disk: one file, <c>profile.purr</c>, in the profile directory.
/// Encrypted: "PURRPRF1" ‖ 0x01 ‖ salt (16) ‖ opslimit (u32 BE) ‖ memlimit (u32 BE, bytes) ‖ nonce (24) ‖
/// XChaCha20-Poly1305(JSON), key = Argon2id(passphrase, salt), the header as associated data.
/// Unencrypted (only with --no-passphrase): "PURRPRF1" ‖ 0x00 ‖ JSON.
/// Writes go to a temporary file that is flushed to disk and renamed over the old one, so a crash
/// leaves either the old profile or the new one, never a mix.
/// </summary>
public sealed class ProfileFile
{
    public const string FileName = "profile.purr";
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("PURRPRF1");
    private const int HeaderBytes = 8 + 1 + Argon2id.SaltBytes + 4 + 4 + 24;

    private readonly string path;
    private readonly byte[]? key;
    private readonly byte[] header;

    private ProfileFile(string directory, byte[]? key, byte[] header)
    {
        Directory = directory;
        path = Path.Combine(directory, FileName);
        this.key = key;
        this.header = header;
    }

    public string Directory { get; }

    public bool IsEncrypted => key is not null;

    /// <summary>
    /// A key for another file of this profile (the message history), derived from the passphrase's key:
    /// HKDF-SHA256(profile key, info = "purr/v1 " + <paramref name="purpose"/>); null for an unencrypted profile.
    /// </summary>
    public byte[]? DeriveFileKey(string purpose) =>
        key is null ? null : Kdf.HkdfSha256(key, [], Encoding.ASCII.GetBytes("purr/v1 " + purpose), Aead.KeyBytes);

    public static bool Exists(string directory) => File.Exists(Path.Combine(directory, FileName));

    /// <summary>Creates a new profile. A null passphrase stores it unencrypted (the caller asked explicitly).</summary>
    public static ProfileFile Create(string directory, string? passphrase, ProfileData data, Argon2Cost? cost = null)
    {
        if (Exists(directory))
        {
            throw new ProfileException($"a profile already exists in {directory}");
        }

        System.IO.Directory.CreateDirectory(directory);
        ProfileFile file;
        if (passphrase is null)
        {
            file = new ProfileFile(directory, null, [.. Magic, 0]);
        }
        else
        {
            var (key, header) = NewKey(passphrase, cost);
            file = new ProfileFile(directory, key, header);
        }

        file.Save(data);
        return file;
    }

    public static (ProfileFile File, ProfileData Data) Open(string directory, Func<string?> passphrase)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            throw new ProfileException($"no profile in {directory}; run 'purr init' first");
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length >= 9 && bytes.AsSpan(0, 8).SequenceEqual(Magic) && bytes[8] == 0)
        {
            return (new ProfileFile(directory, null, [.. Magic, 0]), Parse(bytes.AsSpan(9)));
        }

        var given = passphrase() ?? throw new ProfileException("this profile is encrypted: set PURR_PASSPHRASE or enter the passphrase");
        var (plain, key, header) = Unseal(bytes, given, path);
        try
        {
            return (new ProfileFile(directory, key, header), Parse(plain));
        }
        finally
        {
            ConstantTime.Zero(plain);
        }
    }

    /// <summary>
    /// The JSON of an encrypted profile-format file (a profile, or an exported one) and the key that opened it.
    /// <paramref name="what"/> names the file in errors.
    /// </summary>
    internal static (byte[] Json, byte[] Key, byte[] Header) Unseal(byte[] bytes, string passphrase, string what)
    {
        if (bytes.Length < 9 || !bytes.AsSpan(0, 8).SequenceEqual(Magic))
        {
            throw new ProfileException($"{what} is not a Purr profile");
        }

        if (bytes[8] != 1 || bytes.Length < HeaderBytes + Aead.TagBytes)
        {
            throw new ProfileException($"{what} is damaged, unencrypted, or from a newer version of Purr");
        }

        var salt = bytes.AsSpan(9, Argon2id.SaltBytes).ToArray();
        var cost = new Argon2Cost(BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(25)), BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(29)));
        // The cost comes from the file: bounded as the browser bounds it, so a damaged file cannot ask for 4 GiB.
        if (cost.OpsLimit is < 1 or > 16 || cost.MemLimitBytes is < 8192 or > 1024UL * 1024 * 1024)
        {
            throw new ProfileException($"{what} has unusable key-derivation settings (damaged?)");
        }

        var key = DeriveKey(passphrase, salt, cost);
        var header = bytes.AsSpan(0, HeaderBytes - 24).ToArray();
        var plain = Aead.XChaCha20Poly1305.Decrypt(key, bytes.AsSpan(HeaderBytes - 24, 24), bytes.AsSpan(HeaderBytes), header)
            ?? throw new ProfileException($"wrong passphrase (or {what} is damaged); nothing was changed");
        return (plain, key, header);
    }

    /// <summary>A new key and header for a passphrase: a fresh salt, at the given Argon2id cost.</summary>
    private static (byte[] Key, byte[] Header) NewKey(string passphrase, Argon2Cost? cost)
    {
        var chosen = cost ?? Argon2id.Interactive;
        var salt = SecureRandom.Bytes(Argon2id.SaltBytes);
        var header = new byte[HeaderBytes - 24];
        Magic.CopyTo(header, 0);
        header[8] = 1;
        salt.CopyTo(header, 9);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(25), (uint)chosen.OpsLimit);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(29), (uint)chosen.MemLimitBytes);
        return (DeriveKey(passphrase, salt, chosen), header);
    }

    /// <summary>
    /// <paramref name="json"/> sealed in the encrypted profile format: under this profile's key when it has one (the file
    /// opens with the same passphrase), else under a key from <paramref name="passphrase"/>.
    /// </summary>
    internal byte[] SealElsewhere(ReadOnlySpan<byte> json, Func<string> passphrase, Argon2Cost? cost = null)
    {
        var (sealKey, sealHeader) = key is null ? NewKey(passphrase(), cost) : (key, header);
        var nonce = SecureRandom.Bytes(24);
        return [.. sealHeader, .. nonce, .. Aead.XChaCha20Poly1305.Encrypt(sealKey, nonce, json, sealHeader)];
    }

    public void Save(ProfileData data)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(data);
        byte[] content;
        if (key is null)
        {
            content = [.. header, .. json];
        }
        else
        {
            var nonce = SecureRandom.Bytes(24);
            content = [.. header, .. nonce, .. Aead.XChaCha20Poly1305.Encrypt(key, nonce, json, header)];
            ConstantTime.Zero(json);
        }

        var temporary = Path.Combine(Directory, $".{FileName}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temporary);
            throw new ProfileException($"could not save the profile in {Directory}: {e.Message}", e);
        }
    }

    internal static ProfileData Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize<ProfileData>(json) ?? throw new ProfileException("the profile is empty");
        }
        catch (JsonException e)
        {
            throw new ProfileException("the profile is damaged (its contents could not be read)", e);
        }
    }

    private static byte[] DeriveKey(string passphrase, byte[] salt, Argon2Cost cost)
    {
        var key = new byte[Aead.KeyBytes];
        Argon2id.DeriveKey(Encoding.UTF8.GetBytes(passphrase), salt, cost, key);
        return key;
    }
}
