using System.Text.Json;
using Purr.TestKit;

namespace Purr.Server.Tests.Messaging;

/// <summary>`purr devices link|join|list|revoke` as a person runs them: two terminals, a code to compare, a contact that follows.</summary>
public sealed class DeviceCliTests
{
    [Fact]
    public async Task A_second_terminal_joins_with_the_code_gets_contacts_and_history_and_is_revoked_from_the_first()
    {
        await using var server = await RunningServer.StartAsync();
        using var home = new TemporaryDirectory();
        var phone = Path.Combine(home.Path, "phone");
        var laptop = Path.Combine(home.Path, "laptop");
        var bob = Path.Combine(home.Path, "bob");
        await PurrTool.RunAsync(0, "--profile", phone, "init", "--server", server.Address.ToString(), "--display-name", "Alice");
        await PurrTool.RunAsync(0, "--profile", bob, "init", "--server", server.Address.ToString(), "--display-name", "Bob");
        var card = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", phone, "--json", "invite", "--name", "bob")).RootElement.GetProperty("link").GetString()!;
        await PurrTool.RunAsync(0, "--profile", bob, "accept", card, "--name", "alice");
        await PurrTool.RunAsync(0, "--profile", phone, "receive", "--wait", "10");
        await PurrTool.RunAsync(0, "--profile", bob, "receive");
        await PurrTool.RunAsync(0, "--profile", bob, "send", "alice", "the key is under the mat");
        await PurrTool.RunAsync(0, "--profile", phone, "receive", "--wait", "10");
        var room = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", phone, "--json", "room", "create", "--persistent", "--name", "garden")).RootElement;
        await PurrTool.RunAsync(0, "--profile", bob, "room", "join", room.GetProperty("link").GetString()!, "--as", "Bob", "--name", "garden");

        // A refused code: the device that answered gets nothing.
        var refusedLaptop = Path.Combine(home.Path, "stranger");
        var (refusedLink, _) = await DeviceLinking.LinkAndJoinAsync(phone, refusedLaptop, home.Path, answer: "n", "--name", "laptop");
        Assert.Contains("the codes did not match", refusedLink, StringComparison.Ordinal);
        Assert.Contains("on this device only", await PurrTool.RunAsync(0, "--profile", phone, "devices", "list"), StringComparison.Ordinal);

        var (linkOutput, joinOutput) = await DeviceLinking.LinkAndJoinAsync(phone, laptop, home.Path, answer: "y", "--name", "laptop", "--history", "--this-name", "phone");
        Assert.Contains("linked laptop", linkOutput, StringComparison.Ordinal);
        Assert.Contains("1 contact(s), 1 message(s) of history, 1 room(s)", joinOutput, StringComparison.Ordinal);
        // The laptop joined the room as a member of its own, under the same name.
        await PurrTool.RunAsync(0, "--profile", laptop, "room", "send", "garden", "the laptop is in the garden too");
        Assert.Contains("the laptop is in the garden too", await PurrTool.RunAsync(0, "--profile", bob, "room", "receive", "garden", "--wait", "10"), StringComparison.Ordinal);
        Assert.Contains("bob: the key is under the mat", await PurrTool.RunAsync(0, "--profile", laptop, "history", "bob"), StringComparison.Ordinal);
        var devices = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", laptop, "--json", "devices", "list")).RootElement;
        Assert.Equal(["laptop", "phone"], devices.EnumerateArray().Select(d => d.GetProperty("name").GetString()).Order());

        // Bob's client takes Alice's new device list and starts a session with the laptop; both of Alice's terminals get his text.
        Assert.Contains("alice now uses 2 device(s)", await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10"), StringComparison.Ordinal);
        await PurrTool.RunAsync(0, "--profile", laptop, "receive", "--wait", "2");
        await PurrTool.RunAsync(0, "--profile", bob, "send", "alice", "dinner at eight");
        Assert.Contains("bob: dinner at eight", await PurrTool.RunAsync(0, "--profile", phone, "receive", "--wait", "10"), StringComparison.Ordinal);
        Assert.Contains("bob: dinner at eight", await PurrTool.RunAsync(0, "--profile", laptop, "receive", "--wait", "10"), StringComparison.Ordinal);
        await PurrTool.RunAsync(0, "--profile", laptop, "send", "bob", "see you there");
        Assert.Contains("alice: see you there", await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10"), StringComparison.Ordinal);
        Assert.Contains("you → bob (from another device): see you there", await PurrTool.RunAsync(0, "--profile", phone, "receive", "--wait", "10"), StringComparison.Ordinal);
        Assert.Contains("me: see you there", await PurrTool.RunAsync(0, "--profile", phone, "history", "bob"), StringComparison.Ordinal);

        // A room joined on the phone after the link: the laptop joins it too.
        var park = JsonDocument.Parse(await PurrTool.RunAsync(0, "--profile", bob, "--json", "room", "create", "--persistent", "--name", "park")).RootElement;
        await PurrTool.RunAsync(0, "--profile", phone, "room", "join", park.GetProperty("link").GetString()!, "--as", "Alice", "--name", "park");
        Assert.Contains("joined the room park, as your other device did", await PurrTool.RunAsync(0, "--profile", laptop, "receive", "--wait", "10"), StringComparison.Ordinal);
        await PurrTool.RunAsync(0, "--profile", laptop, "room", "send", "park", "the laptop found the park");
        Assert.Contains("the laptop found the park", await PurrTool.RunAsync(0, "--profile", bob, "room", "receive", "park", "--wait", "10"), StringComparison.Ordinal);

        // Revoked from the phone (the passphrase is asked): Bob's client stops sealing for the laptop.
        Assert.Contains("wrong passphrase", await PurrTool.RunWithAsync(1, "not the passphrase", "--profile", phone, "devices", "revoke", "laptop"), StringComparison.Ordinal);
        Assert.Contains("this is the device you are on", await PurrTool.RunAsync(1, "--profile", phone, "devices", "revoke", "phone"), StringComparison.Ordinal);
        Assert.Contains("revoked laptop", await PurrTool.RunAsync(0, "--profile", phone, "devices", "revoke", "laptop"), StringComparison.Ordinal);
        Assert.Contains("alice now uses 1 device(s)", await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "10"), StringComparison.Ordinal);
        await PurrTool.RunAsync(0, "--profile", bob, "send", "alice", "only the phone reads this");
        Assert.Contains("only the phone reads this", await PurrTool.RunAsync(0, "--profile", phone, "receive", "--wait", "10"), StringComparison.Ordinal);
        var atLaptop = await PurrTool.RunAsync(0, "--profile", laptop, "receive", "--wait", "2");
        Assert.DoesNotContain("only the phone", atLaptop, StringComparison.Ordinal);
        Assert.Contains("this device was revoked from another of your devices", atLaptop, StringComparison.Ordinal);
        Assert.Contains("on this device only", await PurrTool.RunAsync(0, "--profile", laptop, "devices", "list"), StringComparison.Ordinal);
        await PurrTool.RunAsync(0, "--profile", laptop, "send", "bob", "a revoked device speaking");
        Assert.DoesNotContain("a revoked device speaking", await PurrTool.RunAsync(0, "--profile", bob, "receive", "--wait", "2"), StringComparison.Ordinal);
    }
}
