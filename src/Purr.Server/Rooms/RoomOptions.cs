using Purr.Server.Modules;
using System.ComponentModel.DataAnnotations;

namespace Purr.Server.Rooms;

/// <summary>Room limits, bound from the "Rooms" configuration section. Every default is in PROTOCOL.md section 8.</summary>
public sealed class RoomOptions
{
    public const string Section = "Rooms";

    /// <summary>How long a transient room outlives its last connected member (and waits for its first).</summary>
    [TimeSpanRange("00:00:00", "01:00:00")]
    public TimeSpan TransientGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The most members a room may have; a room's own limit may only be lower.</summary>
    [Range(2, 100_000)]
    public int MaxMembers { get; set; } = 1000;

    /// <summary>How often transient rooms with members connected are kept alive, and ended ones looked for.</summary>
    [TimeSpanRange("00:00:01", "00:10:00")]
    public TimeSpan JanitorInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Transient rooms alive at once, server-wide (they live in memory); more get RATE_LIMITED.</summary>
    [Range(1, 10_000_000)]
    public int MaxTransientRooms { get; set; } = 10_000;

    /// <summary>Transient rooms alive at once that were created from one IP address.</summary>
    [Range(1, 1_000_000)]
    public int MaxTransientRoomsPerIp { get; set; } = 32;

    /// <summary>Rooms one connection may create over its lifetime.</summary>
    [Range(1, 1_000_000)]
    public int MaxRoomsCreatedPerConnection { get; set; } = 16;

    /// <summary>Rooms (of either kind) one IP address may create per minute, in bursts of the same size.</summary>
    [Range(1, 1_000_000)]
    public int CreationsPerMinutePerIp { get; set; } = 20;

    /// <summary>Largest room message ciphertext (RoomSend), in bytes; larger get MESSAGE_TOO_LARGE. The frame limit must fit it.</summary>
    [Range(256, 16 * 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>Largest encrypted topic, in bytes.</summary>
    [Range(0, 65_536)]
    public int MaxTopicBytes { get; set; } = 1024;

    /// <summary>Rooms one connection may join per minute (bursts of the same); beyond it RATE_LIMITED with retry-after.</summary>
    [Range(1, 1_000_000)]
    public int JoinsPerMinutePerConnection { get; set; } = 30;

    /// <summary>Largest sealed member profile (the joiner's name, encrypted), in bytes.</summary>
    [Range(0, 16_384)]
    public int MaxMemberProfileBytes { get; set; } = 512;

    /// <summary>Entries a room's ban list holds (keyed hashes of join tags); a ban beyond it drops the oldest.</summary>
    [Range(1, 100_000)]
    public int MaxBans { get; set; } = 1000;

    /// <summary>Longest listing name, in characters.</summary>
    [Range(0, 1024)]
    public int MaxListingNameLength { get; set; } = 64;

    /// <summary>Longest join password, in UTF-8 bytes (it is the input of an Argon2id hash).</summary>
    [Range(1, 4096)]
    public int MaxPasswordBytes { get; set; } = 256;

    /// <summary>Room password hashes (Argon2id, 19 MiB, 2 passes) computed at once; the rest wait in line.</summary>
    [Range(1, 256)]
    public int PasswordHashConcurrency { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Password hashes allowed to wait for a free slot; beyond it requests get RATE_LIMITED at once.</summary>
    [Range(0, 100_000)]
    public int PasswordHashQueue { get; set; } = 64;

    /// <summary>Room password hashes (creating or joining a room with a password) one IP address may cause per minute.</summary>
    [Range(1, 100_000)]
    public int PasswordHashesPerMinutePerIp { get; set; } = 30;

    /// <summary>
    /// How long a transient room lives after it was last kept alive: the grace plus three janitor rounds, so a room with
    /// members connected never lapses between two rounds and one with none ends between grace and grace + 3 rounds.
    /// </summary>
    public TimeSpan TransientLifetime() => TransientGrace + 3 * JanitorInterval;
}
