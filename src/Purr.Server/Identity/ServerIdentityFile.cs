using Purr.Crypto;

namespace Purr.Server.Identity;

/// <summary>
/// Loads the server keys from <c>server.key</c> in the data directory, creating them at first start.
/// The file is 64 bytes (Ed25519 seed, X25519 secret), readable by the server's user only (0600).
/// </summary>
public static class ServerIdentityFile
{
    public const string FileName = "server.key";
    private const int FileBytes = Ed25519.SeedBytes + X25519.KeyBytes;

    public static ServerIdentity LoadOrCreate(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path))
        {
            Create(path);
        }

        var bytes = File.ReadAllBytes(path);
        try
        {
            if (bytes.Length != FileBytes)
            {
                throw new InvalidDataException($"{path} is damaged: it must be {FileBytes} bytes");
            }

            return new ServerIdentity(
                Ed25519KeyPair.FromSeed(bytes.AsSpan(0, Ed25519.SeedBytes)),
                X25519KeyPair.FromSecret(bytes.AsSpan(Ed25519.SeedBytes, X25519.KeyBytes)));
        }
        finally
        {
            ConstantTime.Zero(bytes);
        }
    }

    private static void Create(string path)
    {
        var bytes = SecureRandom.Bytes(FileBytes);
        var temporary = path + ".new";
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            File.Delete(temporary);
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            // A rename is atomic: a crash leaves either no key or a whole one.
            File.Move(temporary, path);
        }
        finally
        {
            ConstantTime.Zero(bytes);
        }
    }
}
