using System.Text;
using Purr.Client.History;
using Purr.Client.Profiles;
using Purr.Crypto;
using Purr.TestKit;

namespace Purr.Client.Tests;

/// <summary>The history file: kept across openings, sealed under the passphrase, robust to a torn tail, deletable.</summary>
public sealed class MessageHistoryTests
{
    private static readonly Argon2Cost Cheap = new(1, 8UL * 1024 * 1024);

    [Fact]
    public void Entries_survive_reopening_and_the_file_shows_no_text_without_the_passphrase()
    {
        using var directory = new TemporaryDirectory();
        var profile = ProfileFile.Create(directory.Path, "a passphrase", new ProfileData { Server = "purr://x", DisplayName = "A" }, Cheap);
        var history = new MessageHistory(profile);
        var at = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);
        history.Append(new HistoryEntry("bob", false, "the secret meeting is at noon", at, "01"));
        history.Append(new HistoryEntry("bob", true, "I will bring the cake", at.AddMinutes(1), "02"));
        history.Append(new HistoryEntry("carol", false, "hi", at.AddMinutes(2), "03"));
        history.Append(new HistoryEntry("bob", false, "the secret meeting is at noon", at, "01"));

        var (reopened, _) = ProfileFile.Open(directory.Path, () => "a passphrase");
        var again = new MessageHistory(reopened);
        Assert.Equal(["the secret meeting is at noon", "I will bring the cake"], again.Chat("bob").Select(e => e.Text));
        Assert.Equal([false, true], again.Chat("bob").Select(e => e.Outgoing));
        Assert.Equal(at, again.Chat("bob")[0].At);
        Assert.Equal(["I will bring the cake"], again.Chat("bob", search: "CAKE").Select(e => e.Text));
        Assert.Equal(["I will bring the cake"], again.Chat("bob", since: at.AddSeconds(30)).Select(e => e.Text));
        Assert.Single(again.Chat("bob", limit: 1));

        var bytes = File.ReadAllBytes(Path.Combine(directory.Path, MessageHistory.FileName));
        Assert.Equal("PURRHIS1"u8.ToArray(), bytes[..8]);
        foreach (var secret in new[] { "secret", "cake", "bob", "carol" })
        {
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)));
        }
    }

    [Fact]
    public void A_torn_last_record_is_skipped_and_another_profiles_key_is_refused()
    {
        using var directory = new TemporaryDirectory();
        var profile = ProfileFile.Create(directory.Path, "a passphrase", new ProfileData { Server = "purr://x" }, Cheap);
        var history = new MessageHistory(profile);
        history.Append(new HistoryEntry("bob", false, "kept", DateTimeOffset.UnixEpoch, "01"));
        history.Append(new HistoryEntry("bob", false, "torn", DateTimeOffset.UnixEpoch, "02"));
        var path = Path.Combine(directory.Path, MessageHistory.FileName);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^10]);
        Assert.Equal(["kept"], history.Read().Select(e => e.Text));

        using var other = new TemporaryDirectory();
        var stranger = new MessageHistory(ProfileFile.Create(other.Path, "another passphrase", new ProfileData { Server = "purr://x" }, Cheap));
        File.Copy(path, Path.Combine(other.Path, MessageHistory.FileName));
        Assert.Throws<ProfileException>(() => stranger.Read());
    }

    [Fact]
    public void Deleting_one_chat_keeps_the_others()
    {
        using var directory = new TemporaryDirectory();
        var history = new MessageHistory(ProfileFile.Create(directory.Path, null, new ProfileData { Server = "purr://x" }));
        history.Append(new HistoryEntry("bob", false, "one", DateTimeOffset.UnixEpoch, "01"));
        history.Append(new HistoryEntry("carol", false, "two", DateTimeOffset.UnixEpoch, "02"));
        Assert.Equal(1, history.Delete(e => e.Chat == "bob"));
        Assert.Empty(history.Chat("bob"));
        Assert.Equal(["two"], history.Read().Select(e => e.Text));
        Assert.Equal(0, history.Delete(e => e.Chat == "bob"));
    }

    [Fact]
    public void A_disappearing_message_is_gone_from_the_file_once_its_time_is_up()
    {
        using var directory = new TemporaryDirectory();
        var profile = ProfileFile.Create(directory.Path, "a passphrase", new ProfileData { Server = "purr://x" }, Cheap);
        var at = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);
        var time = new ManualTimeProvider(at);
        var history = new MessageHistory(profile, time);
        history.Append(new HistoryEntry("bob", false, "kept for good", at, "01"));
        history.Append(new HistoryEntry("bob", true, "gone in a minute", at, "02", ExpiresAt: at.AddMinutes(1)));
        history.Append(new HistoryEntry("bob", false, "gone in an hour", at, "03", ExpiresAt: at.AddHours(1)));
        var path = Path.Combine(directory.Path, MessageHistory.FileName);
        var before = new FileInfo(path).Length;

        Assert.Equal(3, history.Chat("bob").Count);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(["kept for good", "gone in an hour"], history.Chat("bob").Select(e => e.Text));
        Assert.True(new FileInfo(path).Length < before, "the expired record was rewritten out of the file, not only hidden");
        Assert.Equal(at.AddHours(1), history.Read()[1].ExpiresAt);
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, history.DeleteExpired());
        Assert.Equal(0, history.DeleteExpired());
        Assert.Equal(["kept for good"], new MessageHistory(profile, time).Read().Select(e => e.Text));
    }
}
