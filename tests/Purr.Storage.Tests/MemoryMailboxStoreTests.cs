using Purr.Core.Mailboxes;
using Purr.Storage.Memory;

namespace Purr.Storage.Tests;

public sealed class MemoryMailboxStoreTests : MailboxStoreContract
{
    protected override Task<IMailboxStore> CreateStoreAsync() => Task.FromResult<IMailboxStore>(new MemoryMailboxStore());
}
