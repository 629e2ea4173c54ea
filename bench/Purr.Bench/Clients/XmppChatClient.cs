using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Purr.Bench.Targets;

namespace Purr.Bench.Clients;

/// <summary>
/// The bench's own minimal XMPP client: plain TCP on loopback, SASL ANONYMOUS, resource binding,
/// chat messages to full JIDs and multi-user-chat groupchat, with the payload base64 in the body.
/// It parses only the stanzas it needs; enough to drive Prosody and ejabberd, not a general client.
/// </summary>
internal sealed partial class XmppChatClient : IChatClient
{
    private readonly TcpClient tcp;
    private readonly NetworkStream stream;
    private readonly SemaphoreSlim sendGate = new(1, 1);
    private readonly StringBuilder inbox = new();
    private readonly byte[] buffer = new byte[64 * 1024];
    private Task loop = Task.CompletedTask;
    private TaskCompletionSource<string>? waiter;
    private Func<string, bool>? waitFor;

    private XmppChatClient(TcpClient tcp)
    {
        this.tcp = tcp;
        stream = tcp.GetStream();
    }

    public string Jid { get; private set; } = "";

    public Action<ReadOnlyMemory<byte>>? OnMessage { get; set; }

    public static async Task<XmppChatClient> ConnectAsync(string host, int port)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(host, port);
        var client = new XmppChatClient(tcp);
        await client.WriteAsync(StreamHeader);
        await client.ReadUntilAsync(s => s.Contains("</stream:features>", StringComparison.Ordinal));
        await client.WriteAsync("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='ANONYMOUS'/>");
        var auth = await client.ReadUntilAsync(s => s.Contains("<success", StringComparison.Ordinal) || s.Contains("<failure", StringComparison.Ordinal));
        if (!auth.Contains("<success", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("XMPP authentication failed");
        }

        client.inbox.Clear();
        await client.WriteAsync(StreamHeader);
        await client.ReadUntilAsync(s => s.Contains("</stream:features>", StringComparison.Ordinal));
        await client.WriteAsync("<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>");
        var bound = await client.ReadUntilAsync(s => s.Contains("</jid>", StringComparison.Ordinal));
        client.Jid = JidPattern().Match(bound).Groups[1].Value;
        client.inbox.Clear();
        client.loop = Task.Run(client.ReceiveLoopAsync);
        return client;
    }

    public Task SendAsync(IChatClient peer, byte[] payload) =>
        WriteAsync($"<message to='{((XmppChatClient)peer).Jid}' type='chat'><body>{Convert.ToBase64String(payload)}</body></message>");

    /// <summary>Joins a multi-user chat room and waits for the self-presence that confirms it.</summary>
    public async Task JoinRoomAsync(string roomJid, string nick)
    {
        var joined = WaitForAsync(s => s.Contains("status code='110'", StringComparison.Ordinal) || s.Contains("status code=\"110\"", StringComparison.Ordinal));
        await WriteAsync($"<presence to='{roomJid}/{nick}'><x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='0'/></x></presence>");
        await joined.WaitAsync(TimeSpan.FromSeconds(60));
    }

    public Task SendGroupAsync(string roomJid, byte[] payload) =>
        WriteAsync($"<message to='{roomJid}' type='groupchat'><body>{Convert.ToBase64String(payload)}</body></message>");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await WriteAsync("</stream:stream>");
        }
        catch (IOException)
        {
        }

        tcp.Dispose();
        await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private const string StreamHeader =
        "<?xml version='1.0'?><stream:stream to='localhost' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";

    private async Task WriteAsync(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await sendGate.WaitAsync();
        try
        {
            await stream.WriteAsync(bytes);
        }
        finally
        {
            sendGate.Release();
        }
    }

    private async Task<string> ReadUntilAsync(Func<string, bool> done)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!done(inbox.ToString()))
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
            {
                throw new IOException("the XMPP server closed the stream");
            }

            inbox.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }

        return inbox.ToString();
    }

    private Task<string> WaitForAsync(Func<string, bool> match)
    {
        lock (inbox)
        {
            waiter = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            waitFor = match;
            return waiter.Task;
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var decoder = Encoding.UTF8.GetDecoder();
        var chars = new char[buffer.Length];
        var pending = new StringBuilder();
        try
        {
            while (true)
            {
                var read = await stream.ReadAsync(buffer);
                if (read == 0)
                {
                    return;
                }

                pending.Append(chars, 0, decoder.GetChars(buffer, 0, read, chars, 0));
                ExtractStanzas(pending);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
        }
    }

    /// <summary>Takes complete top-level stanzas off the front of the buffer.</summary>
    private void ExtractStanzas(StringBuilder pending)
    {
        var text = pending.ToString();
        var consumed = 0;
        while (true)
        {
            var start = text.IndexOf('<', consumed);
            if (start < 0)
            {
                break;
            }

            var nameEnd = text.IndexOfAny([' ', '>', '/'], start + 1);
            if (nameEnd < 0)
            {
                break;
            }

            var name = text[(start + 1)..nameEnd];
            var selfClose = text.IndexOf("/>", start, StringComparison.Ordinal);
            var firstClose = text.IndexOf('>', start);
            int end;
            if (firstClose > 0 && selfClose == firstClose - 1)
            {
                end = firstClose + 1;
            }
            else
            {
                var closing = text.IndexOf($"</{name}>", start, StringComparison.Ordinal);
                if (closing < 0)
                {
                    break;
                }

                end = closing + name.Length + 3;
            }

            Handle(name, text[start..end]);
            consumed = end;
        }

        pending.Remove(0, consumed);
    }

    private void Handle(string name, string stanza)
    {
        if (name == "message")
        {
            var body = BodyPattern().Match(stanza);
            if (body.Success)
            {
                OnMessage?.Invoke(Convert.FromBase64String(body.Groups[1].Value));
            }

            return;
        }

        lock (inbox)
        {
            if (waitFor is not null && waitFor(stanza))
            {
                waiter!.TrySetResult(stanza);
                waitFor = null;
            }
        }
    }

    [GeneratedRegex("<jid>([^<]+)</jid>")]
    private static partial Regex JidPattern();

    [GeneratedRegex("<body>([^<]*)</body>")]
    private static partial Regex BodyPattern();
}

/// <summary>Clients of one XMPP server under test (Prosody or ejabberd), named as the server is.</summary>
internal sealed class XmppSystem(ServerUnderTest server) : IChatSystem
{
    public string Name => server.Name;

    public async Task<IChatClient> ConnectAsync(int index) => await XmppChatClient.ConnectAsync(server.Host, server.Port);
}
