namespace Purr.Cli;

/// <summary>A server's password and an account's password: from the environment for scripts, else asked without echo.</summary>
internal static class ServerSecrets
{
    public const string ServerPasswordVariable = "PURR_SERVER_PASSWORD";
    public const string AccountPasswordVariable = "PURR_ACCOUNT_PASSWORD";

    public static string ServerPassword() => Required(Passphrase.Read(ServerPasswordVariable, "Server password: "), "the server password");

    public static string AccountPassword(string account) =>
        Required(Passphrase.Read(AccountPasswordVariable, $"Password of account {account}: "), "the account's password");

    private static string Required(string? value, string what) =>
        string.IsNullOrEmpty(value) ? throw new UsageException($"{what} is needed") : value;
}
