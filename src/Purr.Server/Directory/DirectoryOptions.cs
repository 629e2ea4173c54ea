using Purr.Server.Modules;
using System.ComponentModel.DataAnnotations;

namespace Purr.Server.Handles;

/// <summary>Handle and directory limits, bound from the "Directory" configuration section. Every default is in PROTOCOL.md section 8.</summary>
public sealed class DirectoryOptions
{
    public const string Section = "Directory";

    /// <summary>Resolves and searches one connection may make per minute (bursts of the same); beyond it RATE_LIMITED.</summary>
    [Range(1, 100_000)]
    public int LookupsPerMinutePerConnection { get; set; } = 60;

    /// <summary>Longest listing description, in characters.</summary>
    [Range(0, 1000)]
    public int MaxDescriptionLength { get; set; } = 140;

    /// <summary>Longest "free for chat" status a listing may ask for.</summary>
    [TimeSpanRange("00:00:00", "30.00:00:00")]
    public TimeSpan MaxFreeForChat { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Most entries one search answers with.</summary>
    [Range(1, 1000)]
    public int MaxResults { get; set; } = 20;

    /// <summary>Longest contact address link a handle may point to, in bytes (a post-quantum address is about 1.8 KB).</summary>
    [Range(128, 16_384)]
    public int MaxAddressLinkBytes { get; set; } = 4096;
}
