using Purr.Protocol.V1;

namespace Purr.Client.Registration;

/// <summary>
/// Where a connection gets what its server's registration policy asks of each creation (a mailbox, a room):
/// the server password, an account, or one creation token. Asked once per creation, with the connection so a
/// token source can redeem more on it.
/// </summary>
public interface IRegistrationCredentials
{
    /// <summary>The credential for one creation, or null to send none (an open server, or nothing known).</summary>
    ValueTask<Protocol.V1.Registration?> TakeAsync(PurrConnection connection, CancellationToken cancellationToken);
}
