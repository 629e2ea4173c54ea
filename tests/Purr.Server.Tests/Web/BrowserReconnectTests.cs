using System.Net;
using System.Net.Sockets;
using Microsoft.Playwright;
using Purr.TestKit;

namespace Purr.Server.Tests.Web;

/// <summary>The server restarts under an open page: the page goes offline, comes back by itself, and nothing sent meanwhile is lost.</summary>
public sealed class BrowserReconnectTests
{
    [Fact]
    public async Task A_page_reconnects_after_a_server_restart_and_receives_what_waited()
    {
        using var data = new TemporaryDirectory();
        var port = FreePorts.Next();
        var settings = new Dictionary<string, string> { ["urls"] = $"http://127.0.0.1:{port}" };
        await using var browser = await Browser.LaunchAsync();
        var server = await RunningServer.StartAsync("sqlite", data.Path, settings: settings);
        BrowserUser alice;
        BrowserUser bob;
        try
        {
            alice = await browser.OpenAsync(server.HttpBase, "alice");
            bob = await browser.OpenAsync(server.HttpBase, "bob");
            await alice.CreateProfileAsync("Alice");
            await bob.CreateProfileAsync("Bob");
            await bob.AcceptAsync(await alice.InviteAsync("Bob"));
            await bob.ExpectMessageAsync("Alice is now a contact");
        }
        finally
        {
            await server.DisposeAsync();
        }

        await Assertions.Expect(alice.ById("status")).ToHaveTextAsync("offline", new() { Timeout = 20_000 });
        // What Alice's page sends once the server is back: its mailboxes' subscriptions, proven by their mailbox keys
        // (fetched when each mailbox was first subscribed), not signed (PROTOCOL.md 4, "Mailbox keys").
        var sent = new System.Collections.Concurrent.ConcurrentQueue<byte[]>();
        alice.Page.WebSocket += (_, socket) => socket.FrameSent += (_, frame) =>
        {
            if (frame.Binary is { } bytes)
            {
                sent.Enqueue(bytes);
            }
        };
        await using (server = await RunningServer.StartAsync("sqlite", data.Path, settings: settings))
        {
            await Assertions.Expect(bob.ById("status")).ToHaveTextAsync("online", new() { Timeout = 40_000 });
            await bob.SendAsync("sent after the restart");
            await Assertions.Expect(alice.ById("status")).ToHaveTextAsync("online", new() { Timeout = 40_000 });
            await alice.OpenConversationAsync("Bob");
            await alice.ExpectMessageAsync("sent after the restart");
            alice.AssertNoProblemsBut("WebSocket");
            var frames = sent.Select(b => Protocol.V1.ClientFrame.Parser.ParseFrom(b)).ToList();
            var subscribes = frames.Where(f => Protocol.V1.Request.Parser.ParseFrom(f.Request).OpCase == Protocol.V1.Request.OpOneofCase.Subscribe).ToList();
            Assert.NotEmpty(subscribes);
            Assert.All(subscribes, f =>
            {
                Assert.Equal(32, f.MailboxMac.Length);
                Assert.True(f.Signature.IsEmpty);
            });
            Assert.DoesNotContain(frames, f => Protocol.V1.Request.Parser.ParseFrom(f.Request).OpCase == Protocol.V1.Request.OpOneofCase.GetMailboxKey);
        }
    }
}
