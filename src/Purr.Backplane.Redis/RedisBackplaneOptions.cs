namespace Purr.Backplane.Redis;

/// <summary>The Redis that carries mailbox signals between purrd processes sharing one store ("Redis" section).</summary>
public sealed class RedisBackplaneOptions
{
    public const string Section = "Redis";

    /// <summary>A StackExchange.Redis configuration string: "host:port[,password=…][,ssl=true]". Empty: one process, no backplane.</summary>
    public string? Configuration { get; set; }

    /// <summary>The pub/sub channel; processes of one deployment must agree, separate deployments on one Redis must not.</summary>
    public string Channel { get; set; } = "purr:v1:mailboxes";
}
