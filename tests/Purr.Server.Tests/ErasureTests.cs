using Purr.Client;
using Purr.Crypto;
using Purr.TestKit;

namespace Purr.Server.Tests;

/// <summary>
/// Deleted ciphertext must leave the store's files, not only its tables: acknowledged, expired and deleted
/// messages are looked for byte by byte in purr.db and purr.db-wal. And the files are the owner's alone.
/// </summary>
public sealed class ErasureTests
{
    private static readonly Dictionary<string, string> FastErasure = new() { ["Sqlite:ErasureInterval"] = "00:00:00.200" };

    [Fact]
    public async Task An_acknowledged_message_leaves_purr_db_and_its_wal_within_the_erasure_interval()
    {
        using var data = new TemporaryDirectory();
        using var key = Ed25519KeyPair.Generate();
        var marker = SecureRandom.Bytes(48);
        await using var server = await RunningServer.StartAsync("sqlite", data.Path, settings: FastErasure);
        await using var client = await server.ConnectAsync();
        var mailbox = await client.CreateMailboxAsync(key);
        await client.SendAsync(mailbox.SendId, marker);
        await client.SendAsync(mailbox.SendId, "keeps the store busy"u8.ToArray());
        Assert.True(FilesContain(data.Path, marker), "the stored message should be in the files before it is acknowledged");

        await client.SubscribeAsync(mailbox.ReceiveId, key);
        var received = await client.NextAsync<MessageReceived>();
        Assert.Equal(marker, received.Payload);
        await client.AckAsync(mailbox.ReceiveId, received.MessageId, key);

        await WaitUntilGoneAsync(data.Path, marker);
    }

    [Fact]
    public async Task A_deleted_mailbox_and_a_message_deleted_before_a_kill_are_gone_after_the_restart()
    {
        using var data = new TemporaryDirectory();
        using var key = Ed25519KeyPair.Generate();
        var marker = SecureRandom.Bytes(48);

        // A long interval: the process is killed before its timer could erase anything.
        using (var purrd = await PurrdProcess.StartAsync(data.Path, "--Sqlite:ErasureInterval=00:10:00"))
        {
            await using var client = await PurrConnection.ConnectAsync(purrd.Address);
            var mailbox = await client.CreateMailboxAsync(key);
            await client.SendAsync(mailbox.SendId, marker);
            await client.DeleteMailboxAsync(mailbox.ReceiveId, key);
            await purrd.SignalAsync("KILL");
            await purrd.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.True(FilesContain(data.Path, marker), "without a checkpoint the WAL still holds the old copy (the defect this guards)");
        await using (await RunningServer.StartAsync("sqlite", data.Path))
        {
            Assert.False(FilesContain(data.Path, marker), "opening the store must erase what a crash left in the WAL");
        }
    }

    [Fact]
    public async Task Expired_messages_are_erased_from_the_files_after_the_sweep()
    {
        using var data = new TemporaryDirectory();
        using var key = Ed25519KeyPair.Generate();
        var marker = SecureRandom.Bytes(48);
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await RunningServer.StartAsync("sqlite", data.Path, time, FastErasure);
        await using var client = await server.ConnectAsync();
        var mailbox = await client.CreateMailboxAsync(key, lifetimeSeconds: 60);
        await client.SendAsync(mailbox.SendId, marker);
        time.Advance(TimeSpan.FromMinutes(2));
        await WaitUntilGoneAsync(data.Path, marker);
    }

    [Fact]
    public async Task The_data_directory_is_0700_and_the_database_0600()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var parent = new TemporaryDirectory();
        var loose = Path.Combine(parent.Path, "loose");
        Directory.CreateDirectory(loose);
        File.SetUnixFileMode(loose, (UnixFileMode)0b111_101_101);
        var fresh = Path.Combine(parent.Path, "fresh");
        foreach (var data in new[] { loose, fresh })
        {
            await using var server = await RunningServer.StartAsync("sqlite", data);
            await using var client = await server.ConnectAsync();
            using var key = Ed25519KeyPair.Generate();
            var mailbox = await client.CreateMailboxAsync(key);
            await client.SendAsync(mailbox.SendId, "x"u8.ToArray());

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(data));
            foreach (var file in Directory.GetFiles(data))
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }
        }
    }

    internal static async Task WaitUntilGoneAsync(string directory, byte[] marker)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (FilesContain(directory, marker))
        {
            Assert.True(DateTime.UtcNow < deadline, "deleted ciphertext is still in the store's files");
            await Task.Delay(100);
        }
    }

    /// <summary>Every file in the data directory but the admin socket (a socket holds nothing and cannot be read).</summary>
    internal static bool FilesContain(string directory, byte[] marker) =>
        Directory.GetFiles(directory).Where(file => Path.GetFileName(file) != "purrd.sock").Any(file =>
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.GetBuffer().AsSpan(0, (int)copy.Length).IndexOf(marker) >= 0;
        });
}
