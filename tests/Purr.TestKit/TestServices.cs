namespace Purr.TestKit;

/// <summary>
/// Where the real PostgreSQL and Redis of the tests are: started by scripts/test-services.sh (scripts/test.sh
/// does it), overridable with PURR_TEST_POSTGRES and PURR_TEST_REDIS.
/// </summary>
public static class TestServices
{
    public static string Postgres { get; } = Environment.GetEnvironmentVariable("PURR_TEST_POSTGRES") is { Length: > 0 } postgres
        ? postgres
        : "Host=127.0.0.1;Port=15432;Username=purr;Database=postgres";

    public static string Redis { get; } = Environment.GetEnvironmentVariable("PURR_TEST_REDIS") is { Length: > 0 } redis ? redis : "127.0.0.1:16379";

    /// <summary>Said when a service does not answer, so a failure names its cause.</summary>
    public const string StartHint = "start the test services first: bash scripts/test-services.sh start";
}
