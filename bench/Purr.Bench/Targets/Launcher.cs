using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Purr.Protocol;

namespace Purr.Bench.Targets;

/// <summary>Starts purrd, the raw relay and Prosody, each on loopback, with limits opened up for load.</summary>
internal static class Launcher
{
    /// <param name="extra">More purrd settings (a PostgreSQL connection string, a Redis).</param>
    /// <param name="serverKey">A server.key to start with (several nodes, one identity).</param>
    public static async Task<ServerUnderTest> PurrdAsync(string storage = "memory", string[]? extra = null, string? serverKey = null, string name = "Purr")
    {
        var data = Directory.CreateTempSubdirectory("purr-bench-").FullName;
        if (serverKey is not null)
        {
            File.Copy(serverKey, Path.Combine(data, "server.key"));
        }

        var process = await ChildProcess.StartAsync("dotnet",
        [
            .. (string[])[BuildOutputs.Purrd, "--urls", "http://127.0.0.1:0", "--storage", storage, "--data", data],
            .. extra ?? [],
            "--Limits:MaxConnectionsPerIp=100000", "--Limits:MaxConnections=100000", "--Limits:MaxSocketsPerIp=100000", "--Limits:MaxSockets=110000", "--Limits:RequestsPerSecond=1000000",
            "--Limits:OutboundQueueFrames=4096", "--Mailboxes:Quota=100000", "--Rooms:MaxMembers=100000",
            // The load comes from one address at rates no person reaches: the per-address and per-mailbox rate limits step aside.
            "--Limits:ConnectionsPerMinutePerIp=1000000", "--Limits:FailedAuthsPerMinutePerIp=1000000", "--Mailboxes:SendsPerMinutePerMailbox=1000000",
            "--Rooms:JoinsPerMinutePerConnection=1000000",
        ], "purrd listening: ", TimeSpan.FromSeconds(60));
        var address = PurrAddress.Parse(process.ReadyLine["purrd listening: ".Length..]);
        return new ServerUnderTest(name, process, address.Host, address.Port, address, data) { DataDirectory = data };
    }

    public static async Task<ServerUnderTest> RelayAsync()
    {
        var process = await ChildProcess.StartAsync("dotnet", [BuildOutputs.Relay, "--urls", "http://127.0.0.1:0"], "relay listening: ", TimeSpan.FromSeconds(60));
        var url = new Uri(process.ReadyLine["relay listening: ".Length..]);
        return new ServerUnderTest("raw relay", process, url.Host, url.Port, null, null);
    }

    public static bool ProsodyInstalled => File.Exists("/usr/bin/prosody");

    public static bool EjabberdInstalled => Directory.Exists(EjabberdLibraries) && File.Exists("/usr/bin/erl");

    /// <summary>The XMPP servers installed here, in the order they are measured (bench/run.sh installs both).</summary>
    public static IReadOnlyList<Func<Task<ServerUnderTest>>> XmppServers =>
        [.. ProsodyInstalled ? [ProsodyAsync] : Array.Empty<Func<Task<ServerUnderTest>>>(), .. EjabberdInstalled ? [EjabberdAsync] : Array.Empty<Func<Task<ServerUnderTest>>>()];

    /// <summary>Where Debian's ejabberd package keeps its Erlang applications.</summary>
    private const string EjabberdLibraries = "/usr/lib/x86_64-linux-gnu/ejabberd-23.01";

    // Prosody prints nothing when ready; the bench waits for its port instead.
    public static Task<ServerUnderTest> ProsodyAsync() => StartInDirectoryAsync(
        "Prosody 0.12", "data", "prosody.cfg.lua", (directory, port) => $$"""
            run_as_root = true
            pidfile = "{{directory}}/prosody.pid"
            data_path = "{{directory}}/data"
            log = { warn = "*console" }
            c2s_ports = { {{port}} }
            c2s_interfaces = { "127.0.0.1" }
            s2s_ports = { }
            http_ports = { }
            https_ports = { }
            component_ports = { }
            c2s_require_encryption = false
            allow_unencrypted_plain_auth = true
            modules_enabled = { "disco"; "ping"; "saslauth" }
            modules_disabled = { "s2s"; "offline"; "c2s_limits"; "limits" }
            network_settings = { read_timeout = 3600 }
            VirtualHost "localhost"
                authentication = "anonymous"
            Component "conference.localhost" "muc"
                max_history_messages = 0
                muc_room_default_history_length = 0
                muc_room_default_public = false
                muc_max_occupants = 100000
                muc_room_locking = false
            """,
        (_, config) => $"exec prosody --config {config} -F",
        TimeSpan.FromSeconds(30));

    /// <summary>
    /// ejabberd 23.01 (Debian), configured like Prosody: anonymous login, plain TCP, no traffic shaper, a multi-user-chat
    /// service without history or archive, in its own directory. It runs as the Erlang VM itself (erl execs into
    /// beam.smp, so the process measured is the server), not through ejabberdctl, which would run it as another user
    /// under su; without a node name, so no epmd is started.
    /// </summary>
    public static Task<ServerUnderTest> EjabberdAsync() => StartInDirectoryAsync(
        "ejabberd 23.01", "db", "ejabberd.yml", (directory, port) => $$"""
            hosts:
              - localhost
            loglevel: warning
            listen:
              -
                port: {{port}}
                ip: "127.0.0.1"
                module: ejabberd_c2s
                max_stanza_size: 262144
                shaper: none
                access: all
                starttls_required: false
            auth_method: anonymous
            anonymous_protocol: sasl_anon
            shaper_rules:
              c2s_shaper: none
              max_user_sessions: 100000
            modules:
              mod_disco: {}
              mod_ping: {}
              mod_muc:
                host: conference.localhost
                access: all
                access_create: all
                access_persistent: all
                history_size: 0
                max_users: 100000
                max_users_admin_threshold: 100000
                max_users_presence: 100000
                default_room_options:
                  mam: false
                  persistent: false
                  max_users: 100000
            """,
        (directory, config) =>
        {
            var environment = string.Join(' ',
                $"EJABBERD_CONFIG_PATH={config}", $"EJABBERD_LOG_PATH={directory}/ejabberd.log", "ERL_LIBS=/usr/lib/x86_64-linux-gnu",
                "ERL_MAX_PORTS=65536", $"ERL_CRASH_DUMP={directory}/erl_crash.dump");
            return $"cd {directory} && exec env {environment} erl +K true +P 1000000 -noinput -mnesia dir '\"{directory}/db\"' -s ejabberd";
        },
        TimeSpan.FromSeconds(60));

    /// <summary>
    /// A server in a private temporary directory (with its data folder) on a free port: <paramref name="config"/>
    /// (directory, port) is written to <paramref name="configName"/> there, <paramref name="command"/> (directory, config
    /// path) is run by the shell, and the server is ready once its port accepts.
    /// </summary>
    private static async Task<ServerUnderTest> StartInDirectoryAsync(
        string name, string dataFolder, string configName, Func<string, int, string> config, Func<string, string, string> command, TimeSpan readyTimeout)
    {
        var directory = Directory.CreateTempSubdirectory("purr-bench-xmpp-").FullName;
        Directory.CreateDirectory(Path.Combine(directory, dataFolder));
        var port = FreePort();
        var configPath = Path.Combine(directory, configName);
        await File.WriteAllTextAsync(configPath, config(directory, port));
        var process = await ChildProcess.StartAsync("/bin/sh", ["-c", $"echo started; {command(directory, configPath)}"], "started", TimeSpan.FromSeconds(10));
        await WaitForPortAsync(port, readyTimeout);
        return new ServerUnderTest(name, process, "127.0.0.1", port, null, directory);
    }

    /// <param name="poll">How often to try; S5 times a start with it, so it tries every millisecond there.</param>
    public static async Task WaitForPortAsync(int port, TimeSpan timeout, TimeSpan? poll = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(poll ?? TimeSpan.FromMilliseconds(20));
            }
        }
    }

    /// <summary>A port for a server about to start: never one a client socket could hold (see Purr.TestKit.FreePorts).</summary>
    public static int FreePort() => Purr.TestKit.FreePorts.Next();

    public static string Describe(ServerUnderTest server) => string.Create(CultureInfo.InvariantCulture, $"{server.Name} on {server.Host}:{server.Port}");
}
