using System.Diagnostics.CodeAnalysis;

namespace Purr.Server;

/// <summary>
/// Parts of purrd a build can leave out: PostgreSQL, the Redis backplane and the MQTT transport. Every build has them
/// unless it was published with <c>-p:PurrLean=true</c> (or <c>-p:PurrPostgres=false</c>, <c>-p:PurrRedis=false</c>,
/// <c>-p:PurrMqtt=false</c>). These are trimming feature switches: in a native AOT publish with one switched off, the
/// compiler takes the property as the constant false, so the code behind it (Npgsql, StackExchange.Redis, MQTTnet) is
/// not in the binary at all. That is what makes the lean binary smaller and its start lighter on a small box; a
/// configuration that asks for a part the build lacks is refused at start with a message that says so.
/// </summary>
public static class BuildFeatures
{
    public const string PostgresSwitch = "Purr.Postgres.IsSupported";
    public const string RedisSwitch = "Purr.Redis.IsSupported";
    public const string MqttSwitch = "Purr.Mqtt.IsSupported";

    [FeatureSwitchDefinition(PostgresSwitch)]
    public static bool Postgres => IsOn(PostgresSwitch);

    [FeatureSwitchDefinition(RedisSwitch)]
    public static bool Redis => IsOn(RedisSwitch);

    [FeatureSwitchDefinition(MqttSwitch)]
    public static bool Mqtt => IsOn(MqttSwitch);

    /// <summary>"built without PostgreSQL, Redis, MQTT" (what this build left out), or empty for a full build; for --version.</summary>
    public static string Describe()
    {
        var left = new List<string>();
        if (!Postgres)
        {
            left.Add("PostgreSQL");
        }

        if (!Redis)
        {
            left.Add("Redis");
        }

        if (!Mqtt)
        {
            left.Add("MQTT");
        }

        return left.Count == 0 ? "" : $"built without {string.Join(", ", left)}";
    }

    /// <summary>The refusal for a configuration that needs a part this build lacks.</summary>
    public static string Missing(string part, string setting) =>
        $"{setting} needs {part}, which this purrd was built without (published with -p:PurrLean=true); use a full build";

    private static bool IsOn(string name) => !AppContext.TryGetSwitch(name, out var on) || on;
}
