using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Text;
using Purr.Server;
using Purr.Server.Mailboxes;
using Purr.Server.Rooms;

namespace Purr.Server.Host;

/// <summary>`purrd --help`: how to run it, and every setting with its default (read from the option classes, so it stays true).</summary>
internal static class HostUsage
{
    public static string Text { get; } = Build();

    private static string Build()
    {
        var text = new StringBuilder("""
            purrd: the Purr server (mailboxes, rooms and the browser client at /).

            usage: purrd [--urls URL] [--data DIR] [--storage sqlite|memory|postgres] [--Section:Setting=value ...]
                   purrd --help | --version

            Settings come from appsettings.json beside purrd, then PURR_ environment variables
            (PURR_Limits__MaxFrameBytes=…), then the command line; later sources win.

              --urls URL                     where to listen (default http://127.0.0.1:7878; several separated by ;)
              --data DIR                     the server key and the SQLite file (default ./data, created 0700)
              --storage sqlite|memory|postgres  memory keeps nothing across a restart (default sqlite)
              --Postgres:ConnectionString=S  with --storage postgres: Host=…;Username=…;Password=…;Database=…
              --Postgres:MaxPoolSize=N       pooled connections per process (default Npgsql's 100)
              --Redis:Configuration=HOST:PORT  several purrd on one PostgreSQL: mailbox signals between them
              --Redis:Channel=NAME           the backplane's channel (default purr:v1:mailboxes)
              --Modules:0=mailboxes ...      the modules to run (default: mailboxes, rooms, directory, admin)
              --Sqlite:Synchronous=FULL      NORMAL survives a crash or kill, FULL also power loss (default NORMAL)
              --Sqlite:ErasureInterval=T     deleted ciphertext leaves the files within T (default 00:00:05)
              --Web:Enabled=false            serve the API only, no browser client (default true)
              --Web:Root=DIR                 serve another build of the browser client
              --Debug:UnsafeLogging=true     framework logs with IP addresses; never in production (default false)
              --Metrics:Enabled=false        no /metrics (default true: served to this machine only, unproxied)
              --Metrics:AllowRemote=true     serve /metrics to other machines too (default false)
              --Admin:Socket=PATH            purrctl's admin socket (default DATA/purrd.sock)

            """);
        Section(text, "Limits", new ConnectionLimitsOptions(), new MailboxConnectionOptions());
        Section(text, "Mailboxes", new MailboxOptions());
        Section(text, "Rooms", new RoomOptions());
        Section(text, "Registration", new Purr.Server.Registration.RegistrationOptions());
        Section(text, "Transports", new Purr.Server.Transport.TransportOptions());
        Section(text, "Mqtt", new Purr.Server.Transport.MqttOptions());
        Section(text, "Lan", new Purr.Server.Transport.LanOptions());
        Section(text, "Federation", new Purr.Server.Federation.FederationOptions());
        text.Append("\nREADME.md explains each setting; PROTOCOL.md section 8 says what clients see of the limits.");
        return text.ToString();
    }

    private static void Section<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>(StringBuilder text, string name, T defaults)
        where T : class
    {
        text.Append(CultureInfo.InvariantCulture, $"\n{name} (--{name}:Setting=value):\n");
        Settings(text, defaults);
    }

    private static void Section<
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T1,
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T2>(StringBuilder text, string name, T1 first, T2 second)
        where T1 : class
        where T2 : class
    {
        Section(text, name, first);
        Settings(text, second);
    }

    private static void Settings<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>(StringBuilder text, T options)
    {
        foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            text.Append(CultureInfo.InvariantCulture, $"  {property.Name,-34} {Format(property.GetValue(options))}\n");
        }
    }

    private static string Format(object? value) => value switch
    {
        null => "(none)",
        string s => s.Length == 0 ? "(empty)" : s,
        IEnumerable list => $"[{string.Join(", ", list.Cast<object>())}]",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
