using System.Buffers;
using System.Text;

namespace Purr.Server.Transport;

/// <summary>What the first bytes of a connection say about a WebSocket upgrade to <see cref="WebSocketEndpoint.Path"/>.</summary>
internal enum UpgradeParse
{
    /// <summary>Not a request this parser takes: HTTP handles it, from the first byte.</summary>
    NotUpgrade,

    /// <summary>So far the start of one: the request head has not ended yet.</summary>
    NeedMore,

    /// <summary>A complete, valid upgrade request head.</summary>
    Upgrade,
}

/// <summary>
/// Recognises a connection's first HTTP request when it is a plain WebSocket upgrade to the client endpoint (RFC 6455
/// section 4.2.1: <c>GET /v1/ws HTTP/1.1</c>, exactly one Host and Sec-WebSocket-Key, <c>Upgrade: websocket</c>,
/// <c>Connection: upgrade</c>, <c>Sec-WebSocket-Version: 13</c>, no body), so that <see cref="WebSocketUpgradeMiddleware"/>
/// can upgrade it without Kestrel's HTTP layer. It is deliberately narrow: anything else, and anything it is unsure of
/// (a head over <see cref="MaxHeadBytes"/>, folded or malformed header lines, a body, another path or version), is
/// <see cref="UpgradeParse.NotUpgrade"/> and goes to Kestrel unread, which answers it as it always did.
/// </summary>
internal sealed record WebSocketUpgradeRequest(string Host, string? Origin, string Key)
{
    /// <summary>The largest request head taken here; larger ones go to Kestrel, whose own header limits apply.</summary>
    public const int MaxHeadBytes = 8 * 1024;

    private static readonly byte[] Start = "GET /v1/ws"u8.ToArray();
    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();

    public static UpgradeParse TryParse(ReadOnlySequence<byte> buffer, out WebSocketUpgradeRequest? request, out long headLength)
    {
        request = null;
        headLength = 0;
        var available = (int)Math.Min(buffer.Length, MaxHeadBytes);
        var rented = ArrayPool<byte>.Shared.Rent(available);
        try
        {
            var bytes = rented.AsSpan(0, available);
            buffer.Slice(0, available).CopyTo(bytes);
            var prefix = Math.Min(available, Start.Length);
            if (!bytes[..prefix].SequenceEqual(Start.AsSpan(0, prefix)))
            {
                return UpgradeParse.NotUpgrade;
            }

            var end = bytes.IndexOf(HeadEnd);
            if (end < 0)
            {
                return buffer.Length >= MaxHeadBytes ? UpgradeParse.NotUpgrade : UpgradeParse.NeedMore;
            }

            request = Parse(bytes[..(end + 2)]);
            headLength = end + HeadEnd.Length;
            return request is null ? UpgradeParse.NotUpgrade : UpgradeParse.Upgrade;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Parses the head's lines (each ending in CRLF, the blank line excluded), or null when it is not one this takes.</summary>
    private static WebSocketUpgradeRequest? Parse(ReadOnlySpan<byte> head)
    {
        var lineEnd = head.IndexOf("\r\n"u8);
        if (!IsRequestLine(head[..lineEnd]))
        {
            return null;
        }

        string? host = null, origin = null, key = null;
        bool upgrade = false, connectionUpgrade = false, version = false, duplicate = false;
        for (var rest = head[(lineEnd + 2)..]; !rest.IsEmpty;)
        {
            lineEnd = rest.IndexOf("\r\n"u8);
            var line = rest[..lineEnd];
            rest = rest[(lineEnd + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || !IsToken(line[..colon]))
            {
                // Also a folded continuation line (leading whitespace) or a bare CR or LF: HTTP answers those.
                return null;
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (!IsFieldValue(value))
            {
                return null;
            }

            if (Is(name, "host"))
            {
                duplicate |= host is not null;
                host = Encoding.ASCII.GetString(value);
            }
            else if (Is(name, "origin"))
            {
                duplicate |= origin is not null;
                origin = Encoding.ASCII.GetString(value);
            }
            else if (Is(name, "sec-websocket-key"))
            {
                duplicate |= key is not null;
                key = Encoding.ASCII.GetString(value);
            }
            else if (Is(name, "sec-websocket-version"))
            {
                duplicate |= version;
                version = value.SequenceEqual("13"u8);
                if (!version)
                {
                    return null;
                }
            }
            else if (Is(name, "upgrade"))
            {
                upgrade |= HasToken(value, "websocket");
            }
            else if (Is(name, "connection"))
            {
                connectionUpgrade |= HasToken(value, "upgrade");
            }
            else if (Is(name, "content-length") || Is(name, "transfer-encoding"))
            {
                return null;
            }
        }

        return !duplicate && host is not null && upgrade && connectionUpgrade && version && key is not null && IsKey(key)
            ? new WebSocketUpgradeRequest(host, origin, key)
            : null;
    }

    /// <summary><c>GET /v1/ws HTTP/1.1</c>, or with a query: <c>GET /v1/ws?… HTTP/1.1</c>.</summary>
    private static bool IsRequestLine(ReadOnlySpan<byte> line)
    {
        if (!line.StartsWith(Start) || !line.EndsWith(" HTTP/1.1"u8))
        {
            return false;
        }

        var target = line["GET ".Length..^" HTTP/1.1".Length];
        if (target.Length > "/v1/ws".Length && target["/v1/ws".Length] != (byte)'?')
        {
            return false;
        }

        foreach (var b in target)
        {
            // Visible ASCII only: no spaces (a malformed request line), no controls, no raw non-ASCII.
            if (b is <= 0x20 or >= 0x7F)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>An HTTP token (RFC 9110 section 5.6.2): a header name.</summary>
    private static bool IsToken(ReadOnlySpan<byte> name)
    {
        foreach (var b in name)
        {
            if (!(char.IsAsciiLetterOrDigit((char)b) || "!#$%&'*+-.^_`|~"u8.Contains(b)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Visible ASCII, spaces and tabs; no controls and, conservatively, no non-ASCII bytes.</summary>
    private static bool IsFieldValue(ReadOnlySpan<byte> value)
    {
        foreach (var b in value)
        {
            if (b is (< 0x20 and not (byte)'\t') or >= 0x7F)
            {
                return false;
            }
        }

        return true;
    }

    private static bool Is(ReadOnlySpan<byte> name, string expected) => Ascii.EqualsIgnoreCase(name, expected);

    /// <summary>Whether a comma-separated header value lists <paramref name="token"/> (case-insensitive).</summary>
    private static bool HasToken(ReadOnlySpan<byte> value, string token)
    {
        foreach (var range in value.Split((byte)','))
        {
            if (Ascii.EqualsIgnoreCase(value[range].Trim(" \t"u8), token))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Sec-WebSocket-Key: base64 of 16 bytes (RFC 6455 section 4.1).</summary>
    private static bool IsKey(string key)
    {
        Span<byte> decoded = stackalloc byte[18];
        return key.Length == 24 && Convert.TryFromBase64String(key, decoded, out var length) && length == 16;
    }
}
