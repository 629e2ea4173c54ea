using System.ComponentModel.DataAnnotations;

namespace Purr.Server.Rooms;

/// <summary>Room limits, bound from the "Rooms" configuration section.</summary>
public sealed class RoomOptions
{
    public const string Section = "Rooms";

    /// <summary>How long a transient room outlives its last connected member (and waits for its first).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan TransientGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The most members a room may have; a room's own limit may only be lower.</summary>
    [Range(2, 100_000)]
    public int MaxMembers { get; set; } = 1000;

    /// <summary>How often empty transient rooms are looked for.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan JanitorInterval { get; set; } = TimeSpan.FromSeconds(1);
}
