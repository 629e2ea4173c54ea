using Microsoft.Extensions.Options;
using Purr.Core.Handles;
using Purr.Protocol.V1;
using Purr.Server.Registration;
using Purr.Server.Routing;

namespace Purr.Server.Handles.Handlers;

/// <summary>
/// Registers a handle for a contact address, signed by the address's key; the same key may point it at a new link. A new
/// name is subject to the registration policy (<see cref="CreationGate"/>), asked last so a credential is spent only on a
/// name that is free.
/// </summary>
internal sealed class RegisterHandleHandler(IHandleStore store, CreationGate gate, IOptions<DirectoryOptions> options) : IRequestHandler
{
    public Request.OpOneofCase Operation => Request.OpOneofCase.RegisterHandle;

    public async ValueTask<ServerFrame> HandleAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.Request.RegisterHandle;
        if (HandleNames.Normalize(request.Name) is not { } name)
        {
            return Responses.InvalidArgument($"a handle is {HandleNames.Rule}");
        }

        if (System.Text.Encoding.UTF8.GetByteCount(request.AddressLink) > options.Value.MaxAddressLinkBytes)
        {
            return Responses.InvalidArgument($"address_link is at most {options.Value.MaxAddressLinkBytes} bytes");
        }

        if (AddressLinks.AddressKey(request.AddressLink) is not { } addressKey)
        {
            return Responses.InvalidArgument("address_link must be a signed purr:address/ link");
        }

        if (!context.IsSignedBy(RequestSigner.Handle, addressKey))
        {
            return Responses.Auth();
        }

        var held = await store.FindAsync(name, cancellationToken);
        if (held is not null && !held.AddressKey.AsSpan().SequenceEqual(addressKey))
        {
            return Responses.Error(ErrorCode.HandleTaken, "that handle is taken");
        }

        if (held is null && await gate.AdmitAsync(context, request.Registration, cancellationToken) is { } refused)
        {
            return refused;
        }

        // Between the look and the claim another connection may have taken the name (its credential, if any, is then spent).
        return await store.ClaimAsync(new HandleRecord(name, request.AddressLink, addressKey), cancellationToken) switch
        {
            HandleClaim.Claimed or HandleClaim.Updated => Responses.Ok(),
            HandleClaim.KeyHoldsAnother => Responses.InvalidArgument("this address has another handle already; release it first"),
            _ => Responses.Error(ErrorCode.HandleTaken, "that handle is taken"),
        };
    }
}
