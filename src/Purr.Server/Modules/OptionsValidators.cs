using Microsoft.Extensions.Options;
using Purr.Server.Handles;
using Purr.Server.Mailboxes;
using Purr.Server.Registration;
using Purr.Server.Rooms;

namespace Purr.Server.Modules;

// Each settings section is checked at start by a validator the options source generator writes from the class's
// attributes (and IValidatableObject): the same checks DataAnnotations made by reflection, which native AOT cannot keep.

[OptionsValidator]
internal sealed partial class ConnectionLimitsOptionsValidator : IValidateOptions<ConnectionLimitsOptions>;

[OptionsValidator]
internal sealed partial class DirectoryOptionsValidator : IValidateOptions<DirectoryOptions>;

[OptionsValidator]
internal sealed partial class MailboxOptionsValidator : IValidateOptions<MailboxOptions>;

[OptionsValidator]
internal sealed partial class MailboxConnectionOptionsValidator : IValidateOptions<MailboxConnectionOptions>;

[OptionsValidator]
internal sealed partial class RegistrationOptionsValidator : IValidateOptions<RegistrationOptions>;

[OptionsValidator]
internal sealed partial class RoomOptionsValidator : IValidateOptions<RoomOptions>;

[OptionsValidator]
internal sealed partial class TransportOptionsValidator : IValidateOptions<Transport.TransportOptions>;

[OptionsValidator]
internal sealed partial class MqttOptionsValidator : IValidateOptions<Transport.MqttOptions>;

[OptionsValidator]
internal sealed partial class LanOptionsValidator : IValidateOptions<Transport.LanOptions>;

[OptionsValidator]
internal sealed partial class FederationOptionsValidator : IValidateOptions<Federation.FederationOptions>;
