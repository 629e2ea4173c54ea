using System.Xml.Linq;
using Purr.Client;
using Purr.TestKit;

namespace Purr.Server.Tests;

/// <summary>
/// The native AOT purrd starts fast only if the generic types its container asks for at start are compiled ahead
/// (src/Purr.Server.Host/AotStartupTypes.rd.xml): any that are not are built by the type loader at run time, which
/// took about 40 % of the AOT build's start. A service added since the file was written fails this test; the file is
/// rewritten by running it with PURR_UPDATE_AOT_STARTUP_TYPES=1.
/// </summary>
public sealed class AotStartupTypesTests
{
    private static readonly XNamespace Directives = "http://schemas.microsoft.com/netfx/2013/01/metadata";

    private static string FilePath => Path.Combine(RepositoryPaths.Root, "src", "Purr.Server.Host", "AotStartupTypes.rd.xml");

    [Fact]
    public async Task Every_generic_type_the_container_builds_from_start_to_the_first_hello_is_compiled_ahead()
    {
        await using var server = await RunningServer.StartAsync(storage: "sqlite");
        await using (var connection = await PurrConnection.ConnectAsync(server.Address))
        {
            await connection.PingAsync();
        }

        var needed = ResolvedServiceTypes.GenericTypes(server.Services);
        Assert.NotEmpty(needed);
        if (Environment.GetEnvironmentVariable("PURR_UPDATE_AOT_STARTUP_TYPES") == "1")
        {
            Write(needed);
        }

        var missing = needed.Except(Listed()).Select(t => $"{t.Name} ({t.Assembly})").Order(StringComparer.Ordinal).ToArray();
        Assert.True(missing.Length == 0,
            $"{missing.Length} generic types are built at start but not listed in {FilePath} (run this test with "
            + $"PURR_UPDATE_AOT_STARTUP_TYPES=1 to rewrite it):\n{string.Join("\n", missing)}");
    }

    [Fact]
    public async Task Purr_s_own_services_are_built_by_factories_not_by_reflection_over_their_constructors()
    {
        // In the native AOT build the container's reflection over constructors (and its reflective calls to them) was
        // about a third of its work at start, and the container is about a quarter of the start: Purr's services are
        // registered as `sp => new X(…)`. A service registered by type since fails here.
        await using var server = await RunningServer.StartAsync(storage: "sqlite");
        await using (var connection = await PurrConnection.ConnectAsync(server.Address))
        {
            await connection.PingAsync();
        }

        var built = ResolvedServiceTypes.BuiltByConstructor(server.Services);
        Assert.Contains(built, name => name.StartsWith("Microsoft.", StringComparison.Ordinal));
        var ours = built.Where(name => name.StartsWith("Purr.", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
        Assert.True(ours.Length == 0, $"registered by type, built by reflection: {string.Join(", ", ours)}");
    }

    [Fact]
    public void Names_in_the_rd_xml_syntax_carry_each_generic_argument_s_assembly()
    {
        Assert.Equal(
            "System.Collections.Generic.Dictionary`2[[System.String,System.Private.CoreLib],[Purr.Client.PurrConnection[],Purr.Client]]",
            ResolvedServiceTypes.RdXmlName(typeof(Dictionary<string, PurrConnection[]>)));
    }

    private static HashSet<(string Assembly, string Name)> Listed() =>
        XDocument.Load(FilePath).Descendants(Directives + "Assembly")
            .SelectMany(assembly => assembly.Elements(Directives + "Type").Select(type => ((string)assembly.Attribute("Name")!, (string)type.Attribute("Name")!)))
            .ToHashSet();

    // "Required All" compiles each type with its methods; a Type directive without it measured no different from none.
    private static void Write(IReadOnlySet<(string Assembly, string Name)> types)
    {
        var assemblies = types.GroupBy(t => t.Assembly).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
            new XElement(Directives + "Assembly", new XAttribute("Name", g.Key),
                g.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => new XElement(Directives + "Type", new XAttribute("Name", t.Name), new XAttribute("Dynamic", "Required All")))));
        var document = new XDocument(
            new XComment(" Written by AotStartupTypesTests (PURR_UPDATE_AOT_STARTUP_TYPES=1): the closed generic types and arrays purrd's "
                + "container builds from start to the first hello, so that the native AOT compiler builds them ahead instead of the "
                + "type loader at run time. A missing entry costs start-up time only. "),
            new XElement(Directives + "Directives", new XElement(Directives + "Application", assemblies)));
        using var writer = System.Xml.XmlWriter.Create(FilePath, new System.Xml.XmlWriterSettings { Indent = true, Encoding = new System.Text.UTF8Encoding(false) });
        document.Save(writer);
    }
}
