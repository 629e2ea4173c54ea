using Purr.Crypto;
using Purr.Protocol;
using Purr.Protocol.V1;

namespace Purr.Client;

/// <summary>Handles and the directory (PROTOCOL.md section 14): changes are signed by the contact address's key.</summary>
public sealed partial class PurrConnection
{
    /// <summary>Registers (or repoints) <paramref name="name"/> for a contact address; subject to the server's registration policy.</summary>
    public Task RegisterHandleAsync(string name, string addressLink, Ed25519KeyPair addressKey, CancellationToken cancellationToken = default) =>
        CreatingAsync(registration => RequestAsync(
            new Request { RegisterHandle = new RegisterHandle { Name = name, AddressLink = addressLink, Registration = registration } },
            HandleSigner(addressKey), cancellationToken), cancellationToken);

    public Task ReleaseHandleAsync(string name, Ed25519KeyPair addressKey, CancellationToken cancellationToken = default) =>
        RequestAsync(new Request { ReleaseHandle = new ReleaseHandle { Name = name } }, HandleSigner(addressKey), cancellationToken);

    public Task SetListingAsync(string name, Ed25519KeyPair addressKey, bool listed, string description, TimeSpan freeForChat, CancellationToken cancellationToken = default) =>
        RequestAsync(
            new Request { SetListing = new SetListing { Name = name, Listed = listed, Description = description, FreeForChatSeconds = (uint)freeForChat.TotalSeconds } },
            HandleSigner(addressKey), cancellationToken);

    /// <summary>The handle's contact address (and listing); NOT_FOUND when nobody holds it.</summary>
    public async Task<HandleResolved> ResolveHandleAsync(string name, CancellationToken cancellationToken = default) =>
        (await RequestAsync(new Request { ResolveHandle = new ResolveHandle { Name = name } }, signer: null, cancellationToken)).HandleResolved;

    public async Task<IReadOnlyList<DirectoryEntry>> SearchDirectoryAsync(string query, bool freeForChatOnly = false, CancellationToken cancellationToken = default) =>
        [.. (await RequestAsync(new Request { SearchDirectory = new SearchDirectory { Query = query, FreeForChatOnly = freeForChatOnly } }, signer: null, cancellationToken))
            .DirectoryResults.Entries];

    private Func<byte[], byte[]> HandleSigner(Ed25519KeyPair addressKey) =>
        bytes => addressKey.Sign(SignedBytes.HandleRequest(SessionNonce.Span, bytes));
}
