using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Purr.Ctl;

/// <summary>
/// One request to purrd's admin socket. Refuses a socket that others could use (any group or other permission
/// bit): purrd makes it 0600, so anything else means it was tampered with or is not purrd's.
/// </summary>
internal static class AdminClient
{
    private const UnixFileMode OthersOrGroup = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public static async Task<JsonObject> AskAsync(string socketPath, JsonObject request, CancellationToken cancellationToken)
    {
        if (!File.Exists(socketPath))
        {
            throw new CtlException($"no admin socket at {socketPath}: is purrd running with this data directory? (--data DIR)");
        }

        if (!OperatingSystem.IsWindows() && File.GetUnixFileMode(socketPath) is var mode && (mode & OthersOrGroup) != 0)
        {
            throw new CtlException($"refusing the admin socket at {socketPath}: its mode is {Convert.ToString((int)mode, 8)}, not 600 (owner only); something other than purrd changed it");
        }

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
        }
        catch (SocketException e)
        {
            throw new CtlException(e.SocketErrorCode == SocketError.AccessDenied
                ? $"not allowed to use {socketPath}: run purrctl as the user purrd runs as"
                : $"purrd is not answering on {socketPath} ({e.SocketErrorCode}): is it running?");
        }

        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToJsonString() + "\n"), cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var line = await reader.ReadLineAsync(cancellationToken) ?? throw new CtlException("purrd closed the admin socket without answering");
        var answer = JsonNode.Parse(line)?.AsObject() ?? throw new CtlException("purrd's answer is not JSON");
        if (answer["ok"]?.GetValue<bool>() != true)
        {
            throw new CtlException(answer["error"]?.GetValue<string>() ?? "purrd refused the request");
        }

        return answer["result"]!.AsObject();
    }
}

/// <summary>Something the operator must fix; the message says what.</summary>
internal sealed class CtlException(string message) : Exception(message);
