using Purr.Protocol.V1;

namespace Purr.Server.Modules;

/// <summary>A module's part of the limits advertised in ServerHello and /.well-known/purr.</summary>
public interface ILimitsContributor
{
    void Contribute(Limits limits);
}
