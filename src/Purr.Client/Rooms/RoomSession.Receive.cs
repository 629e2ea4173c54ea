using Google.Protobuf;
using Purr.Protocol;
using Purr.Protocol.V1;

namespace Purr.Client.Rooms;

public sealed partial class RoomSession
{
    private async Task StartAsync()
    {
        // Transient traffic and control events arrive on the connection; persistent traffic through the member's mailbox.
        // This session's own share of the connection's events: other rooms and mailboxes may share the connection.
        listener = connection.Listen(IsMine);
        await RequestAsync(new Request { SubscribeRoom = new SubscribeRoom { RoomId = Link.Invite.RoomId, MemberKey = ByteString.CopyFrom(MemberKey) } });
        pump = Task.Run(PumpAsync);
        if (Mailbox is not null && MailboxKey is not null)
        {
            await connection.SubscribeAsync(Mailbox.ReceiveId, MailboxKey);
        }
    }

    private async Task PumpAsync()
    {
        try
        {
            await foreach (var pushed in listener!.Events.ReadAllAsync(stop.Token))
            {
                switch (pushed)
                {
                    case RoomEventReceived room when room.Event.RoomId.Span.SequenceEqual(RoomId):
                        Handle(room.Event);
                        break;
                    case MessageReceived stored when Mailbox is not null && stored.ReceiveId.AsSpan().SequenceEqual(Mailbox.ReceiveId):
                        try
                        {
                            Handle(RoomEvent.Parser.ParseFrom(stored.Payload));
                        }
                        catch (InvalidProtocolBufferException)
                        {
                        }

                        // Not awaited here: the answer comes through the connection's receive loop, which may be waiting
                        // for this pump to take the next event; waiting for it would deadlock both.
                        _ = AckQuietlyAsync(stored.MessageId);
                        break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or PurrClientException)
        {
        }
        finally
        {
            // Nothing reads this session's share any more: stop routing events to it.
            listener?.Dispose();
            updates.Writer.TryComplete();
        }
    }

    private async Task AckQuietlyAsync(byte[] messageId)
    {
        try
        {
            await connection.AckAsync(Mailbox!.ReceiveId, messageId, MailboxKey!, stop.Token);
        }
        catch (Exception e) when (e is PurrClientException or OperationCanceledException or ObjectDisposedException)
        {
            // The room ended or the connection closed: the message is redelivered or gone with the mailbox.
        }
    }

    private bool IsMine(PurrEvent pushed) => pushed switch
    {
        RoomEventReceived room => room.Event.RoomId.Span.SequenceEqual(RoomId),
        MessageReceived stored => Mailbox is not null && stored.ReceiveId.AsSpan().SequenceEqual(Mailbox.ReceiveId),
        SubscriptionEnded ended => Mailbox is not null && ended.ReceiveId.AsSpan().SequenceEqual(Mailbox.ReceiveId),
        _ => false,
    };

    private void Handle(RoomEvent roomEvent)
    {
        switch (roomEvent.KindCase)
        {
            case RoomEvent.KindOneofCase.Message:
                HandleMessage(roomEvent.Message);
                break;
            case RoomEvent.KindOneofCase.Connection:
                var who = roomEvent.Connection.MemberKey.ToByteArray();
                lock (gate)
                {
                    if (roomEvent.Connection.Connected)
                    {
                        connected.Add(Hex(who));
                    }
                    else
                    {
                        connected.Remove(Hex(who));
                    }
                }

                Publish(new RoomMemberConnectionChanged(who, NameOf(who), roomEvent.Connection.Connected));
                break;
            case RoomEvent.KindOneofCase.Joined:
                lock (gate)
                {
                    members.RemoveAll(m => m.MemberKey.Span.SequenceEqual(roomEvent.Joined.MemberKey.Span));
                    members.Add(roomEvent.Joined);

                    // A newcomer holds only the link's key: if the key moved on since, the next to speak seals it the current one.
                    if (!roomEvent.Joined.MemberKey.Span.SequenceEqual(MemberKey))
                    {
                        awaitingKey.Add(Hex(roomEvent.Joined.MemberKey.Span));
                    }
                }

                var named = LearnName(roomEvent.Joined);
                Publish(new RoomMemberJoined(roomEvent.Joined.MemberKey.ToByteArray(), named));
                break;
            case RoomEvent.KindOneofCase.Left:
                var gone = roomEvent.Left.MemberKey.ToByteArray();
                if (gone.AsSpan().SequenceEqual(MemberKey))
                {
                    // The echo of our own /exit is not a kick.
                    if (roomEvent.Left.Kicked)
                    {
                        Publish(new RoomKicked());
                    }

                    stop.Cancel();
                    break;
                }

                lock (gate)
                {
                    members.RemoveAll(m => m.MemberKey.Span.SequenceEqual(gone));

                    // A member this session kicked was rotated away from by the kick itself (the echo may come after it).
                    if (!kickedHere.Remove(Hex(gone)))
                    {
                        membersRemovedSinceKey = true;
                    }

                    awaitingKey.Remove(Hex(gone));
                }

                Publish(new RoomMemberLeft(gone, NameOf(gone), roomEvent.Left.Kicked));
                break;
            case RoomEvent.KindOneofCase.Stopped:
                Publish(new RoomEnded());
                stop.Cancel();
                break;
            case RoomEvent.KindOneofCase.Configured when roomEvent.Configured.Topic.Length > 0:
                var topic = DecryptGroup(roomEvent.Configured.Topic.Span);
                if (topic?.BodyCase == RoomPlaintext.BodyOneofCase.Topic)
                {
                    Publish(new RoomTopicChanged(topic.Topic));
                }

                break;
            case RoomEvent.KindOneofCase.RoleChanged:
                lock (gate)
                {
                    members.RemoveAll(m => m.MemberKey.Span.SequenceEqual(roomEvent.RoleChanged.MemberKey.Span));
                    members.Add(roomEvent.RoleChanged);
                }

                break;
        }
    }

    private void HandleMessage(RoomMessage message)
    {
        var sender = message.Sender.ToByteArray();
        var to = message.Whisper ? MemberKey : [];
        if (!Crypto.Ed25519.Verify(sender, SignedBytes.RoomMessage(RoomId, to, message.Ciphertext.Span), message.Signature.Span))
        {
            Publish(new RoomUndecryptable(sender));
            return;
        }

        RoomPlaintext? plaintext;
        if (message.Whisper)
        {
            var opened = RoomCrypto.Open(RoomId, dhKey, message.Ciphertext.Span);
            plaintext = opened is null ? null : Parse(opened);
        }
        else
        {
            plaintext = DecryptGroup(message.Ciphertext.Span);
        }

        if (plaintext is null)
        {
            Publish(new RoomUndecryptable(sender));
            return;
        }

        if (plaintext.SenderName.Length > 0)
        {
            lock (gate)
            {
                names[Hex(sender)] = plaintext.SenderName;
            }
        }

        switch (plaintext.BodyCase)
        {
            case RoomPlaintext.BodyOneofCase.Text:
                Publish(new RoomText(
                    sender, NameOf(sender), plaintext.Text, message.Whisper, message.Ciphertext.ToByteArray(),
                    Convert.ToHexStringLower(plaintext.MessageId.Span), DateTimeOffset.FromUnixTimeSeconds(plaintext.SentAt),
                    Messaging.DisappearingMessages.Normalize(plaintext.DisappearAfter)));
                break;
            case RoomPlaintext.BodyOneofCase.DisappearingTimer when !message.Whisper:
                // The room's setting, for this member's texts too: every member honours the last one anyone set.
                DisappearAfterSeconds = Messaging.DisappearingMessages.Normalize(plaintext.DisappearingTimer);
                Publish(new RoomTimerChanged(sender, NameOf(sender), DisappearAfterSeconds));
                break;
            case RoomPlaintext.BodyOneofCase.Hello when !sender.AsSpan().SequenceEqual(MemberKey):
                Publish(new RoomMemberHello(sender, NameOf(sender)));
                break;
            case RoomPlaintext.BodyOneofCase.Farewell:
                Publish(new RoomFarewell(sender, NameOf(sender), plaintext.Farewell));
                break;
            case RoomPlaintext.BodyOneofCase.KeyUpdate:
                var mine = plaintext.KeyUpdate.Keys.FirstOrDefault(k => k.MemberKey.Span.SequenceEqual(MemberKey));
                var key = mine is null ? null : OpenKey(mine);
                if (key is { Length: RoomLink.KeyBytes } && plaintext.KeyUpdate.KeyId.Length == RoomCrypto.KeyIdBytes)
                {
                    lock (gate)
                    {
                        keys[Hex(plaintext.KeyUpdate.KeyId.Span)] = key;
                        currentKeyId = plaintext.KeyUpdate.KeyId.ToByteArray();
                        membersRemovedSinceKey = false;
                    }

                    if (plaintext.KeyUpdate.Link.Length > 0)
                    {
                        LearnLink(plaintext.KeyUpdate);
                    }
                }

                // Whoever this update was sealed to has that key now (another member shared it, or rotated to it).
                lock (gate)
                {
                    if (plaintext.KeyUpdate.KeyId.Span.SequenceEqual(currentKeyId))
                    {
                        foreach (var sealedKey in plaintext.KeyUpdate.Keys)
                        {
                            awaitingKey.Remove(Hex(sealedKey.MemberKey.Span));
                        }
                    }
                }

                break;
        }
    }

    /// <summary>A kick's new join secret, readable only under the key this update brought (PROTOCOL.md 12, "Bans").</summary>
    private void LearnLink(RoomKeyUpdate update)
    {
        var opened = DecryptGroup(update.Link.Span);
        if (opened is not { BodyCase: RoomPlaintext.BodyOneofCase.LinkUpdate } || opened.LinkUpdate.JoinSecret.Length is < 16 or > 64
            || !update.Link.Span[..RoomCrypto.KeyIdBytes].SequenceEqual(update.KeyId.Span))
        {
            return;
        }

        string link;
        lock (gate)
        {
            Link = WithJoinSecret(opened.LinkUpdate.JoinSecret.ToByteArray());
            link = Link.ToString();
        }

        Publish(new RoomLinkChanged(link));
    }

    private RoomPlaintext? DecryptGroup(ReadOnlySpan<byte> ciphertext)
    {
        var opened = RoomCrypto.DecryptGroup(RoomId, ciphertext, keyId =>
        {
            lock (gate)
            {
                return keys.GetValueOrDefault(Hex(keyId));
            }
        });
        return opened is null ? null : Parse(opened);
    }

    private static RoomPlaintext? Parse(byte[] bytes)
    {
        try
        {
            return RoomPlaintext.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    private void Publish(RoomUpdate update) => updates.Writer.TryWrite(update);
}
