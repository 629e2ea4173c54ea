using Purr.Client.Messaging;
using Purr.TestKit;

namespace Purr.Server.Tests.Messaging;

/// <summary>One profile on several devices (PROTOCOL.md 10.10), with real profiles against a real server.</summary>
public sealed class DeviceTests
{
    [Fact]
    public async Task Three_devices_and_a_contact_with_two_every_message_reaches_every_device_and_sent_ones_mirror()
    {
        await using var server = await RunningServer.StartAsync();
        await using var profiles = new TestProfiles();
        var alice1 = profiles.Create(server, "Alice");
        var bob1 = profiles.Create(server, "Bob");
        await TestProfiles.ConnectAsync(alice1, "bob", bob1, "alice");
        await bob1.SendTextAsync("alice", "before any link");
        await ReceiveUntilAsync<TextReceived>(alice1);

        var alice2 = await LinkAsync(profiles, server, alice1, "laptop", bob1);
        Assert.Single(alice2.Contacts);
        Assert.Equal("bob", alice2.Contacts[0].Name);
        var alice3 = await LinkAsync(profiles, server, alice2, "tablet", bob1);
        var bob2 = await LinkAsync(profiles, server, bob1, "bob laptop", alice1, alice2, alice3);
        Assert.Equal(3, alice1.ListDevices().Count);
        Assert.Equal(3, alice3.ListDevices().Count);

        // Every device of Alice gets what each device of Bob sends; each of Bob's devices sees what the other sent.
        var alices = new[] { alice1, alice2, alice3 };
        await bob1.SendTextAsync("alice", "from bob's phone");
        foreach (var alice in alices)
        {
            Assert.Equal("from bob's phone", (await ReceiveUntilAsync<TextReceived>(alice)).Text);
        }

        Assert.Equal("from bob's phone", (await ReceiveUntilAsync<TextSentElsewhere>(bob2)).Text);
        await bob2.SendTextAsync("alice", "from bob's laptop");
        foreach (var alice in alices)
        {
            Assert.Equal("from bob's laptop", (await ReceiveUntilAsync<TextReceived>(alice)).Text);
        }

        await alice3.SendTextAsync("bob", "from alice's tablet");
        foreach (var bob in new[] { bob1, bob2 })
        {
            Assert.Equal("from alice's tablet", (await ReceiveUntilAsync<TextReceived>(bob)).Text);
        }

        foreach (var alice in new[] { alice1, alice2 })
        {
            Assert.Equal("from alice's tablet", (await ReceiveUntilAsync<TextSentElsewhere>(alice)).Text);
        }

        // A timer set on one device holds for the person's other devices and for both of the contact's.
        await alice1.SetDisappearingAsync("bob", 3600);
        foreach (var bob in new[] { bob1, bob2 })
        {
            Assert.Equal(3600u, (await ReceiveUntilAsync<DisappearingTimerChanged>(bob)).Seconds);
        }

        foreach (var alice in new[] { alice2, alice3 })
        {
            Unclaimed.GetOrCreateValue(alice).AddRange(await alice.ReceiveAsync(TimeSpan.FromSeconds(1)));
            Assert.Equal(3600u, alice.Contact("bob").DisappearAfterSeconds);
        }

        // Revoked from another device: the laptop gets nothing more, and nothing it sends is taken.
        await alice3.RevokeDeviceAsync("laptop");
        await ReceiveUntilAsync<OwnDevicesChanged>(alice1);
        foreach (var bob in new[] { bob1, bob2 })
        {
            Assert.Equal(2, (await ReceiveUntilAsync<ContactDevicesChanged>(bob)).Devices);
        }

        await bob1.SendTextAsync("alice", "after the revocation");
        foreach (var alice in new[] { alice1, alice3 })
        {
            Assert.Equal("after the revocation", (await ReceiveUntilAsync<TextReceived>(alice)).Text);
        }

        Assert.DoesNotContain(await alice2.ReceiveAsync(TimeSpan.FromSeconds(2)), e => e is TextReceived { Text: "after the revocation" });
        await alice2.SendTextAsync("bob", "from the revoked laptop");
        Assert.DoesNotContain(await bob1.ReceiveAsync(TimeSpan.FromSeconds(2)), e => e is TextReceived { Text: "from the revoked laptop" });
    }

    [Fact]
    public async Task A_contact_made_on_one_device_after_the_link_reaches_the_others_under_a_free_name()
    {
        await using var server = await RunningServer.StartAsync();
        await using var profiles = new TestProfiles();
        var alice1 = profiles.Create(server, "Alice");
        var alice2 = await LinkAsync(profiles, server, alice1, "laptop");
        var carol = profiles.Create(server, "Carol");
        var dave = profiles.Create(server, "Dave");

        // The laptop has its own "carol" already (Dave, as it happens): the shared contact takes a free name there.
        var card = await alice1.InviteAsync("carol", "Alice", TimeSpan.FromDays(1));
        await carol.AcceptAsync(card.Link, "alice", "Carol");
        var daveCard = await dave.InviteAsync("alice", "Dave", TimeSpan.FromDays(1));
        await alice2.AcceptAsync(daveCard.Link, "carol", "Alice");
        await ReceiveUntilAsync<ContactEstablished>(dave);
        await ReceiveUntilAsync<ContactEstablished>(alice2);
        await ReceiveUntilAsync<ContactEstablished>(alice1);
        Assert.Equal("carol-2", (await ReceiveUntilAsync<ContactEstablished>(alice2)).Contact);
        await alice1.ReceiveAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(2, (await ReceiveUntilAsync<ContactDevicesChanged>(carol)).Devices);
        await alice2.ReceiveAsync(TimeSpan.FromSeconds(1));

        await carol.SendTextAsync("alice", "hello to all of you");
        Assert.Equal("hello to all of you", (await ReceiveUntilAsync<TextReceived>(alice1)).Text);
        var atLaptop = await ReceiveUntilAsync<TextReceived>(alice2);
        Assert.Equal(("carol-2", "hello to all of you"), (atLaptop.Contact, atLaptop.Text));
        await alice2.SendTextAsync("carol-2", "answered from the laptop");
        Assert.Equal("answered from the laptop", (await ReceiveUntilAsync<TextReceived>(carol)).Text);
        Assert.Equal("carol", (await ReceiveUntilAsync<TextSentElsewhere>(alice1)).Contact);

        // Dave, made on the laptop, reached the phone the same way (as "carol-2" there): his client took the new list.
        Assert.Equal(2, (await ReceiveUntilAsync<ContactDevicesChanged>(dave)).Devices);
        await alice1.ReceiveAsync(TimeSpan.FromSeconds(1));
        await dave.SendTextAsync("alice", "dave here");
        Assert.Equal(("carol", "dave here"), await ReceiveUntilAsync<TextReceived>(alice2).ContinueWith(t => (t.Result.Contact, t.Result.Text), TaskScheduler.Default));
        Assert.Equal(("carol-2", "dave here"), await ReceiveUntilAsync<TextReceived>(alice1).ContinueWith(t => (t.Result.Contact, t.Result.Text), TaskScheduler.Default));
    }

    /// <summary>Links a new device to <paramref name="from"/>'s profile; <paramref name="contacts"/> then take its device list.</summary>
    private static async Task<Messenger> LinkAsync(TestProfiles profiles, RunningServer server, Messenger from, string name, params Messenger[] contacts)
    {
        var link = await from.OfferDeviceLinkAsync(name, TimeSpan.FromMinutes(5));
        var joining = profiles.Create(server, "");
        var code = await joining.AnswerDeviceLinkAsync(link);
        var answered = await ReceiveUntilAsync<DeviceLinkAnswered>(from);
        Assert.Equal(code, answered.Code);
        await from.ConfirmDeviceLinkAsync(answered.DeviceId, from.History.Read());
        await ReceiveUntilAsync<ProfileLinked>(joining);
        await ReceiveUntilAsync<DeviceLinked>(from);
        foreach (var contact in contacts)
        {
            await ReceiveUntilAsync<ContactDevicesChanged>(contact);
        }

        // The contacts' offers reach the new device.
        await joining.ReceiveAsync(TimeSpan.FromSeconds(1));
        return joining;
    }

    /// <summary>Events received and not yet waited for, per messenger: waiting for one kind keeps the others for later.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Messenger, List<MessengerEvent>> Unclaimed = [];

    private static async Task<T> ReceiveUntilAsync<T>(Messenger messenger) where T : MessengerEvent
    {
        var kept = Unclaimed.GetOrCreateValue(messenger);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            if (kept.OfType<T>().FirstOrDefault() is { } wanted)
            {
                kept.Remove(wanted);
                return wanted;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"no {typeof(T).Name} within 20 s; saw {string.Join(", ", kept)}");
            }

            kept.AddRange(await messenger.ReceiveAsync(TimeSpan.FromSeconds(2)));
        }
    }
}
