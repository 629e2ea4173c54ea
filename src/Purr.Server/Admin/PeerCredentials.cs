using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Purr.Server.Admin;

/// <summary>Who is on the other end of a Unix socket (Linux SO_PEERCRED), compared with purrd's own user.</summary>
internal static partial class PeerCredentials
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    public static bool IsSameUserOrRoot(Socket peer)
    {
        if (!OperatingSystem.IsLinux())
        {
            // Elsewhere the file mode (0600) and the data directory (0700) are the guard.
            return true;
        }

        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        Span<byte> credentials = stackalloc byte[12];
        var length = peer.GetRawSocketOption(SolSocket, SoPeerCred, credentials);
        if (length < 8)
        {
            return false;
        }

        var uid = MemoryMarshal.Read<uint>(credentials[4..8]);
        return uid == 0 || uid == geteuid();
    }

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
