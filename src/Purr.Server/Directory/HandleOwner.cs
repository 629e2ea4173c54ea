using Purr.Core.Handles;
using Purr.Server.Routing;

namespace Purr.Server.Handles;

/// <summary>Finds the handle a request names and checks it is signed by the handle's address key (else AUTH, whichever failed).</summary>
internal static class HandleOwner
{
    public static async ValueTask<HandleRecord?> AuthenticateAsync(IHandleStore store, string name, RequestContext context, CancellationToken cancellationToken)
    {
        var normalized = HandleNames.Normalize(name);
        var handle = normalized is null ? null : await store.FindAsync(normalized, cancellationToken);
        // An unknown name is checked against a stand-in key: it costs and answers the same as a wrong signature.
        return context.IsSignedBy(RequestSigner.Handle, handle?.AddressKey) && handle is not null ? handle : null;
    }
}
