using Purr.Client.Profiles;
using Purr.Crypto;
using Purr.TestKit;

namespace Purr.Client.Tests;

public sealed class ProfileFileTests
{
    // Cheap Argon2id parameters keep the tests fast; the format records them, so opening uses the same.
    private static readonly Argon2Cost Cheap = new(1, 8UL * 1024 * 1024);

    [Fact]
    public void Encrypted_profile_round_trips_and_hides_its_contents()
    {
        using var directory = new TemporaryDirectory();
        var data = new ProfileData { Server = "purr://server-address-marker", DisplayName = "Alice-marker" };
        ProfileFile.Create(directory.Path, "correct horse", data, Cheap);

        var raw = File.ReadAllBytes(Path.Combine(directory.Path, ProfileFile.FileName));
        Assert.Equal(-1, raw.AsSpan().IndexOf("Alice-marker"u8));
        Assert.Equal(-1, raw.AsSpan().IndexOf("server-address-marker"u8));

        var (file, opened) = ProfileFile.Open(directory.Path, () => "correct horse");
        Assert.True(file.IsEncrypted);
        Assert.Equal("Alice-marker", opened.DisplayName);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(directory.Path, ProfileFile.FileName)));
        }
    }

    [Fact]
    public void Wrong_passphrase_is_a_clear_error_and_changes_nothing()
    {
        using var directory = new TemporaryDirectory();
        ProfileFile.Create(directory.Path, "right", new ProfileData { DisplayName = "x" }, Cheap);
        var path = Path.Combine(directory.Path, ProfileFile.FileName);
        var before = File.ReadAllBytes(path);

        var error = Assert.Throws<ProfileException>(() => ProfileFile.Open(directory.Path, () => "wrong"));
        Assert.Contains("wrong passphrase", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Throws<ProfileException>(() => ProfileFile.Open(directory.Path, () => null));
    }

    [Fact]
    public void Saves_replace_the_file_whole_and_leave_no_temporary_files()
    {
        using var directory = new TemporaryDirectory();
        var file = ProfileFile.Create(directory.Path, "pw", new ProfileData(), Cheap);
        for (var i = 0; i < 20; i++)
        {
            file.Save(new ProfileData { DisplayName = $"version {i}" });
        }

        Assert.Equal([ProfileFile.FileName], Directory.GetFiles(directory.Path).Select(Path.GetFileName));
        Assert.Equal("version 19", ProfileFile.Open(directory.Path, () => "pw").Data.DisplayName);
    }

    [Fact]
    public void Unencrypted_profile_only_when_asked_and_damage_is_reported()
    {
        using var directory = new TemporaryDirectory();
        var file = ProfileFile.Create(directory.Path, null, new ProfileData { DisplayName = "plain" });
        Assert.False(file.IsEncrypted);
        Assert.Equal("plain", ProfileFile.Open(directory.Path, () => throw new InvalidOperationException("no prompt expected")).Data.DisplayName);
        Assert.Throws<ProfileException>(() => ProfileFile.Create(directory.Path, null, new ProfileData()));

        File.WriteAllText(Path.Combine(directory.Path, ProfileFile.FileName), "garbage");
        Assert.Throws<ProfileException>(() => ProfileFile.Open(directory.Path, () => "pw"));
        using var empty = new TemporaryDirectory();
        Assert.Contains("purr init", Assert.Throws<ProfileException>(() => ProfileFile.Open(empty.Path, () => "pw")).Message, StringComparison.Ordinal);
    }
}
