using System.Text.Json;
using Google.Protobuf;
using Org.BouncyCastle.Math;
using Purr.Client;
using Purr.Client.Registration;
using Purr.Client.Rooms;
using Purr.Crypto;
using Purr.Crypto.BlindRsa;
using Purr.Protocol;
using Purr.Protocol.V1;
using Purr.TestKit;

namespace Purr.Server.Tests;

/// <summary>
/// Each registration policy end to end against a real purrd: what a creation needs, what is refused and
/// with which error, that sending stays open, and that invite tokens carry nothing the server could link.
/// The operator's side goes through purrctl over the admin socket, as an operator runs it.
/// </summary>
public sealed class RegistrationTests
{
    private static readonly string Purrctl = Path.Combine(AppContext.BaseDirectory, "purrctl.dll");

    [Fact]
    public async Task An_open_server_says_so_and_asks_nothing()
    {
        await using var server = await RunningServer.StartAsync();
        await using var client = await server.ConnectAsync();
        Assert.Equal(RegistrationPolicy.Open, client.RegistrationPolicy);
        using var key = Ed25519KeyPair.Generate();
        await client.CreateMailboxAsync(key);
        using var http = new HttpClient();
        var wellKnown = JsonDocument.Parse(await http.GetStringAsync(new Uri(server.HttpBase, "/.well-known/purr"))).RootElement;
        Assert.Equal("open", wellKnown.GetProperty("registration").GetString());
    }

    [Fact]
    public async Task The_password_policy_wants_the_password_for_mailboxes_and_rooms_and_sending_stays_open()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Registration:Policy"] = "password",
            ["Registration:Password"] = "the family secret",
        });
        await using var stranger = await server.ConnectAsync();
        Assert.Equal(RegistrationPolicy.Password, stranger.RegistrationPolicy);
        using var key = Ed25519KeyPair.Generate();
        var required = await Assert.ThrowsAsync<PurrProtocolException>(() => stranger.CreateMailboxAsync(key));
        Assert.Equal(ErrorCode.RegistrationRequired, required.Code);
        Assert.Contains("password", required.Detail, StringComparison.Ordinal);

        await using var guesser = await server.ConnectAsync(Credentials(new Protocol.V1.Registration { ServerPassword = "the family secreT" }));
        Assert.Equal(ErrorCode.RegistrationRefused, (await Assert.ThrowsAsync<PurrProtocolException>(() => guesser.CreateMailboxAsync(key))).Code);
        Assert.Equal(ErrorCode.RegistrationRefused, (await Assert.ThrowsAsync<PurrProtocolException>(
            () => RoomSession.CreateAsync(guesser, RoomKind.Transient, "Guess"))).Code);

        await using var member = await server.ConnectAsync(Credentials(new Protocol.V1.Registration { ServerPassword = "the family secret" }));
        var mailbox = await member.CreateMailboxAsync(key);
        await using var room = await RoomSession.CreateAsync(member, RoomKind.Persistent, "Mum");
        // Anyone may still send into a mailbox that exists (federation needs it).
        await stranger.SendAsync(mailbox.SendId, "hello"u8.ToArray());
    }

    [Fact]
    public async Task A_closed_server_creates_nothing_but_still_delivers_to_what_exists()
    {
        using var data = new TemporaryDirectory();
        MailboxInfo mailbox;
        using var key = Ed25519KeyPair.Generate();
        await using (var open = await RunningServer.StartAsync(storage: "sqlite", dataDirectory: data.Path))
        {
            await using var client = await open.ConnectAsync();
            mailbox = await client.CreateMailboxAsync(key);
        }

        await using var closed = await RunningServer.StartAsync(storage: "sqlite", dataDirectory: data.Path, settings: new Dictionary<string, string> { ["Registration:Policy"] = "closed" });
        await using var someone = await closed.ConnectAsync();
        Assert.Equal(ErrorCode.RegistrationClosed, (await Assert.ThrowsAsync<PurrProtocolException>(() => someone.CreateMailboxAsync(key))).Code);
        Assert.Equal(ErrorCode.RegistrationClosed, (await Assert.ThrowsAsync<PurrProtocolException>(
            () => RoomSession.CreateAsync(someone, RoomKind.Transient, "X"))).Code);
        await someone.SendAsync(mailbox.SendId, "still delivered"u8.ToArray());
        Assert.NotNull(await someone.FetchAsync(mailbox.ReceiveId, key));
    }

    [Fact]
    public async Task Accounts_are_managed_with_purrctl_and_only_a_right_name_and_password_create()
    {
        using var data = new TemporaryDirectory();
        await using var server = await RunningServer.StartAsync(dataDirectory: data.Path, settings: new Dictionary<string, string> { ["Registration:Policy"] = "accounts" });
        Assert.Equal(0, (await Ctl(data, "correct horse battery\n", "accounts", "add", "alice")).Exit);
        var duplicate = await Ctl(data, "another password\n", "accounts", "add", "alice");
        Assert.Equal(1, duplicate.Exit);
        Assert.Contains("exists", duplicate.Output, StringComparison.Ordinal);
        var badName = await Ctl(data, "correct horse battery\n", "accounts", "add", "Alice Smith");
        Assert.Equal(1, badName.Exit);
        var shortPassword = await Ctl(data, "short\n", "accounts", "add", "bob");
        Assert.Equal(1, shortPassword.Exit);
        Assert.Contains("at least 8", shortPassword.Output, StringComparison.Ordinal);

        var listed = await Ctl(data, null, "--json", "accounts", "list");
        var accounts = JsonDocument.Parse(listed.Output).RootElement.GetProperty("accounts");
        Assert.Equal("alice", Assert.Single(accounts.EnumerateArray()).GetProperty("name").GetString());
        Assert.DoesNotContain("argon2", listed.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("horse", listed.Output, StringComparison.Ordinal);

        using var key = Ed25519KeyPair.Generate();
        await using var alice = await server.ConnectAsync(Account("alice", "correct horse battery"));
        await alice.CreateMailboxAsync(key);
        await using (var room = await RoomSession.CreateAsync(alice, RoomKind.Transient, "Alice"))
        {
        }

        await using var wrong = await server.ConnectAsync(Account("alice", "incorrect horse"));
        var refused = await Assert.ThrowsAsync<PurrProtocolException>(() => wrong.CreateMailboxAsync(key));
        await using var unknown = await server.ConnectAsync(Account("mallory", "correct horse battery"));
        var unknownRefused = await Assert.ThrowsAsync<PurrProtocolException>(() => unknown.CreateMailboxAsync(key));
        // One answer for a wrong password and an unknown name, so names cannot be probed.
        Assert.Equal((ErrorCode.RegistrationRefused, refused.Detail), (unknownRefused.Code, unknownRefused.Detail));

        Assert.Equal(0, (await Ctl(data, "a new long password\n", "accounts", "passwd", "alice")).Exit);
        await Assert.ThrowsAsync<PurrProtocolException>(() => alice.CreateMailboxAsync(key));
        await using (var renewed = await server.ConnectAsync(Account("alice", "a new long password")))
        {
            await renewed.CreateMailboxAsync(key);
        }

        Assert.Equal(0, (await Ctl(data, null, "accounts", "remove", "alice")).Exit);
        await using var removed = await server.ConnectAsync(Account("alice", "a new long password"));
        Assert.Equal(ErrorCode.RegistrationRefused, (await Assert.ThrowsAsync<PurrProtocolException>(() => removed.CreateMailboxAsync(key))).Code);
        Assert.Equal(1, (await Ctl(data, null, "accounts", "remove", "alice")).Exit);
    }

    [Fact]
    public async Task An_invite_gives_tokens_that_create_once_each_until_it_is_used_up_or_revoked()
    {
        using var data = new TemporaryDirectory();
        await using var server = await RunningServer.StartAsync(dataDirectory: data.Path, settings: new Dictionary<string, string> { ["Registration:Policy"] = "invite" });
        var created = await Ctl(data, null, "--json", "invites", "create", "--tokens", "3", "--label", "for the Smiths", "--expires", "7d");
        Assert.Equal(0, created.Exit);
        var invite = JsonDocument.Parse(created.Output).RootElement;
        var link = InviteLink.Parse(invite.GetProperty("link").GetString()!);
        Assert.Equal(server.Address.IdentityKey, link.Server.IdentityKey);

        await using var client = await server.ConnectAsync();
        Assert.Equal(RegistrationPolicy.Invite, client.RegistrationPolicy);
        using var key = Ed25519KeyPair.Generate();
        Assert.Equal(ErrorCode.RegistrationRequired, (await Assert.ThrowsAsync<PurrProtocolException>(() => client.CreateMailboxAsync(key))).Code);

        var (tokens, left) = await client.RedeemInviteAsync(link.Secret, 2);
        Assert.Equal((2, 1), (tokens.Count, left));
        await using var spender = await server.ConnectAsync(Credentials([.. tokens.Select(t => new Protocol.V1.Registration { Token = t })]));
        await spender.CreateMailboxAsync(key);
        await using (var room = await RoomSession.CreateAsync(spender, RoomKind.Transient, "Smith"))
        {
        }

        // Spent once: the same token again, or one with its nonce changed, creates nothing.
        await using var replay = await server.ConnectAsync(Credentials(new Protocol.V1.Registration { Token = tokens[0] }));
        var spent = await Assert.ThrowsAsync<PurrProtocolException>(() => replay.CreateMailboxAsync(key));
        Assert.Equal(ErrorCode.RegistrationRefused, spent.Code);
        Assert.Contains("spent", spent.Detail, StringComparison.Ordinal);
        var forged = tokens[1].Clone();
        forged.Nonce = ByteString.CopyFrom(new byte[32]);
        await using var forger = await server.ConnectAsync(Credentials(new Protocol.V1.Registration { Token = forged }));
        Assert.Equal(ErrorCode.RegistrationRefused, (await Assert.ThrowsAsync<PurrProtocolException>(() => forger.CreateMailboxAsync(key))).Code);
        // A "signature" not below the modulus is refused like any bad one, and the connection stays.
        var oversized = tokens[1].Clone();
        oversized.Signature = ByteString.CopyFrom(Enumerable.Repeat((byte)0xFF, tokens[1].Signature.Length).ToArray());
        await using var overreacher = await server.ConnectAsync(Credentials(new Protocol.V1.Registration { Token = oversized }));
        Assert.Equal(ErrorCode.RegistrationRefused, (await Assert.ThrowsAsync<PurrProtocolException>(() => overreacher.CreateMailboxAsync(key))).Code);
        await overreacher.PingAsync();

        // The invite gives what it has left, then nothing; a wrong secret gets nothing and costs no signature.
        var (last, none) = await client.RedeemInviteAsync(link.Secret, 5);
        Assert.Equal((1, 0), (last.Count, none));
        Assert.Equal(ErrorCode.RegistrationRefused, (await Assert.ThrowsAsync<PurrProtocolException>(() => client.RedeemInviteAsync(link.Secret, 1))).Code);
        Assert.Equal(ErrorCode.RegistrationRefused, (await Assert.ThrowsAsync<PurrProtocolException>(() => client.RedeemInviteAsync(new byte[16], 1))).Code);

        var second = InviteLink.Parse(JsonDocument.Parse((await Ctl(data, null, "--json", "invites", "create")).Output).RootElement.GetProperty("link").GetString()!);
        var list = JsonDocument.Parse((await Ctl(data, null, "--json", "invites", "list")).Output).RootElement.GetProperty("invites");
        Assert.Equal(2, list.GetArrayLength());
        var secondId = list.EnumerateArray().Single(i => i.GetProperty("label").GetString() == "").GetProperty("id").GetString()!;
        Assert.Equal(50, list.EnumerateArray().Single(i => i.GetProperty("id").GetString() == secondId).GetProperty("tokensLeft").GetInt32());
        Assert.DoesNotContain(Base64Url.Encode(second.Secret), (await Ctl(data, null, "invites", "list")).Output, StringComparison.Ordinal);
        Assert.Equal(0, (await Ctl(data, null, "invites", "revoke", secondId)).Exit);
        Assert.Equal(ErrorCode.RegistrationRefused, (await Assert.ThrowsAsync<PurrProtocolException>(() => client.RedeemInviteAsync(second.Secret, 1))).Code);
    }

    [Fact]
    public async Task Two_mailboxes_made_with_one_invite_carry_nothing_the_server_could_link_to_it_or_each_other()
    {
        using var data = new TemporaryDirectory();
        await using var server = await RunningServer.StartAsync(storage: "sqlite", dataDirectory: data.Path, settings: new Dictionary<string, string> { ["Registration:Policy"] = "invite" });
        var link = InviteLink.Parse(JsonDocument.Parse((await Ctl(data, null, "--json", "invites", "create", "--tokens", "2")).Output).RootElement.GetProperty("link").GetString()!);

        // Everything the server sees at issuance: the blinded messages and its blind signatures.
        await using var client = await server.ConnectAsync();
        var key = CreationTokens.KeyOf(client.Hello);
        var pending = CreationTokens.Prepare(key, 2, SystemRandomSource.Instance);
        var redeem = new RedeemInvite { InviteSecret = ByteString.CopyFrom(link.Secret) };
        redeem.BlindedMessages.AddRange(pending.Select(p => ByteString.CopyFrom(p.Blinded.Message)));
        var issued = (await client.RequestAsync(new Request { RedeemInvite = redeem }, signer: null)).TokensIssued;
        var tokens = CreationTokens.Finalize(key, pending, issued.BlindSignatures);

        using var firstKey = Ed25519KeyPair.Generate();
        using var secondKey = Ed25519KeyPair.Generate();
        await using (var first = await server.ConnectAsync(Credentials(new Protocol.V1.Registration { Token = tokens[0] })))
        {
            await first.CreateMailboxAsync(firstKey);
        }

        await using (var second = await server.ConnectAsync(Credentials(new Protocol.V1.Registration { Token = tokens[1] })))
        {
            await second.CreateMailboxAsync(secondKey);
        }

        // Byte for byte, no part of what was spent appears in what was issued.
        var seenAtIssuance = redeem.BlindedMessages.Concat(issued.BlindSignatures).Select(b => b.ToByteArray()).ToList();
        foreach (var token in tokens)
        {
            foreach (var seen in seenAtIssuance)
            {
                Assert.False(Contains(seen, token.Nonce.Span[..16]));
                Assert.False(Contains(seen, token.Signature.Span[..16]));
            }
        }

        // And arithmetically: each spent token fits each issuance equally well. For blinded message B_i, its blind
        // signature S_i and a final signature T_j, the blinding r = S_i / T_j (mod n) satisfies B_i = T_j^e · r^e for
        // every pairing, so the server's view cannot say which issuance became which token.
        var n = new BigInteger(1, key.ModulusBigEndian);
        var e = new BigInteger(1, key.ExponentBigEndian);
        for (var i = 0; i < 2; i++)
        {
            for (var j = 0; j < 2; j++)
            {
                var b = new BigInteger(1, redeem.BlindedMessages[i].ToByteArray());
                var s = new BigInteger(1, issued.BlindSignatures[i].ToByteArray());
                var t = new BigInteger(1, tokens[j].Signature.ToByteArray());
                var r = s.Multiply(t.ModInverse(n)).Mod(n);
                Assert.Equal(b, t.ModPow(e, n).Multiply(r.ModPow(e, n)).Mod(n));
            }
        }

        // What the server keeps: one hash per spent token, the invite's count, mailboxes with no reference to either.
        await server.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(data.Path, "purr.db")};Mode=ReadOnly");
        await db.OpenAsync();
        Assert.Equal(["token_hash"], await ColumnsAsync(db, "spent_tokens"));
        Assert.Equal(["receive_id", "send_id", "recipient_key", "sender_key", "lifetime_seconds", "quota"], await ColumnsAsync(db, "mailboxes"));
        Assert.Equal(["id", "secret_hash", "label", "tokens_left", "created_at", "expires_at"], await ColumnsAsync(db, "invites"));
    }

    [Fact]
    public async Task Rejections_count_as_failed_authentications_so_guessing_a_password_stays_slow()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Registration:Policy"] = "password",
            ["Registration:Password"] = "the family secret",
            ["Limits:FailedAuthsPerMinutePerIp"] = "3",
        });
        using var key = Ed25519KeyPair.Generate();
        await using var guesser = await server.ConnectAsync(Credentials(new Protocol.V1.Registration { ServerPassword = "guess" }));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(ErrorCode.RegistrationRefused, (await Assert.ThrowsAsync<PurrProtocolException>(() => guesser.CreateMailboxAsync(key))).Code);
        }

        Assert.Equal(ErrorCode.RateLimited, (await Assert.ThrowsAsync<PurrProtocolException>(() => guesser.CreateMailboxAsync(key))).Code);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task A_purrd_process_takes_the_policy_from_its_command_line_and_keeps_its_token_key_across_a_restart()
    {
        using var data = new TemporaryDirectory();
        List<CreationToken> tokens;
        byte[] keyId;
        using (var purrd = await PurrdProcess.StartAsync(data.Path, "--Registration:Policy=invite"))
        {
            var link = InviteLink.Parse(JsonDocument.Parse((await Ctl(data, null, "--json", "invites", "create", "--tokens", "4")).Output).RootElement.GetProperty("link").GetString()!);
            Assert.Equal(purrd.Address.IdentityKey, link.Server.IdentityKey);
            await using var client = await PurrConnection.ConnectAsync(purrd.Address);
            keyId = client.Hello.Registration.TokenKey.KeyId.ToByteArray();
            (tokens, _) = await client.RedeemInviteAsync(link.Secret, 2);
            await purrd.SignalAsync("TERM");
            await purrd.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(data.Path, "registration-token.key")));
        using var restarted = await PurrdProcess.StartAsync(data.Path, "--Registration:Policy=invite");
        await using var again = await PurrConnection.ConnectAsync(restarted.Address, Credentials(new Protocol.V1.Registration { Token = tokens[0] }));
        Assert.Equal(keyId, again.Hello.Registration.TokenKey.KeyId.ToByteArray());
        using var key = Ed25519KeyPair.Generate();
        await again.CreateMailboxAsync(key);
    }

    [Fact]
    public async Task Purrd_refuses_to_start_with_a_password_policy_and_no_password()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => RunningServer.StartAsync(settings: new Dictionary<string, string> { ["Registration:Policy"] = "password" }));
        Assert.Contains("Registration:Password", failure.Message, StringComparison.Ordinal);
    }

    private static PurrConnectionOptions Credentials(params Protocol.V1.Registration[] credentials) => new() { Registration = new FixedCredentials(credentials) };

    private static PurrConnectionOptions Account(string name, string password) =>
        Credentials(new Protocol.V1.Registration { Account = new AccountCredential { Name = name, Password = password } });

    private static Task<(int Exit, string Output)> Ctl(TemporaryDirectory data, string? input, params string[] args) =>
        ProcessRun.RunAsync("dotnet", [Purrctl, "--data", data.Path, .. args], input: input);

    private static bool Contains(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    private static async Task<List<string>> ColumnsAsync(Microsoft.Data.Sqlite.SqliteConnection db, string table)
    {
        await using var command = db.CreateCommand();
        command.CommandText = $"SELECT name FROM pragma_table_info('{table}')";
        await using var reader = await command.ExecuteReaderAsync();
        var columns = new List<string>();
        while (await reader.ReadAsync())
        {
            columns.Add(reader.GetString(0));
        }

        return columns;
    }

    /// <summary>Hands out the given credentials in turn, the last one for ever (a token list runs out like a profile's).</summary>
    private sealed class FixedCredentials(Protocol.V1.Registration[] credentials) : IRegistrationCredentials
    {
        private int next;

        public ValueTask<Protocol.V1.Registration?> TakeAsync(PurrConnection connection, CancellationToken cancellationToken) =>
            ValueTask.FromResult<Protocol.V1.Registration?>(credentials[Math.Min(next++, credentials.Length - 1)]);
    }
}
