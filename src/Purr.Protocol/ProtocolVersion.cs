namespace Purr.Protocol;

/// <summary>Protocol versions this build speaks. A hello outside [Min, Max] gets UNSUPPORTED_VERSION.</summary>
public static class ProtocolVersion
{
    public const uint Min = 1;
    public const uint Max = 1;
    public const uint Current = 1;
}
