using System.Collections;
using System.Reflection;

namespace Purr.Server.Tests;

/// <summary>
/// The closed generic types and arrays a running container has built: its services, their implementations, their
/// constructors' arguments and the arrays behind every IEnumerable&lt;T&gt;. In the native AOT build each of these that
/// the compiler did not see in code is built by the type loader at run time, at start (see AotStartupTypes.rd.xml).
/// Read from the container's call-site cache, an internal of Microsoft.Extensions.DependencyInjection: if a new .NET
/// renames it, this fails loudly rather than finding nothing.
/// </summary>
internal static class ResolvedServiceTypes
{
    private const BindingFlags Members = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance;

    /// <summary>Each type as (assembly, name in the rd.xml type-name syntax).</summary>
    public static IReadOnlySet<(string Assembly, string Name)> GenericTypes(IServiceProvider services)
    {
        var cache = CallSiteCache(services);
        var types = new HashSet<Type>();
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (DictionaryEntry entry in cache)
        {
            Visit(entry.Value, types, visited);
        }

        return types
            .Where(t => (t.IsConstructedGenericType || t.IsArray) && !t.ContainsGenericParameters)
            .Select(t => (AssemblyOf(t), RdXmlName(t)))
            .ToHashSet();
    }

    /// <summary>
    /// The types the container built by reflection over a constructor (a service registered by its type rather than
    /// with a factory): their full names.
    /// </summary>
    public static IReadOnlySet<string> BuiltByConstructor(IServiceProvider services)
    {
        var built = new HashSet<string>(StringComparer.Ordinal);
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (DictionaryEntry entry in CallSiteCache(services))
        {
            Walk(entry.Value, visited, site =>
            {
                if (site.GetType().Name == "ConstructorCallSite" && site.GetType().GetProperty("ImplementationType", Members)?.GetValue(site) is Type type)
                {
                    built.Add(type.FullName!);
                }
            });
        }

        return built;
    }

    /// <summary>`Namespace.Type`1[[Argument,Assembly]]`, `Element[]`: the names an rd.xml Type directive takes.</summary>
    public static string RdXmlName(Type type)
    {
        if (type.IsArray)
        {
            return RdXmlName(type.GetElementType()!) + "[]";
        }

        if (!type.IsConstructedGenericType)
        {
            return type.FullName!;
        }

        var arguments = type.GetGenericArguments().Select(a => $"[{RdXmlName(a)},{AssemblyOf(a)}]");
        return $"{type.GetGenericTypeDefinition().FullName}[{string.Join(",", arguments)}]";
    }

    private static string AssemblyOf(Type type) => type.IsArray ? AssemblyOf(type.GetElementType()!) : type.Assembly.GetName().Name!;

    private static IDictionary CallSiteCache(IServiceProvider services)
    {
        var factory = services.GetType().GetProperty("CallSiteFactory", Members)?.GetValue(services)
            ?? throw new InvalidOperationException($"{services.GetType()} has no CallSiteFactory: the container's internals changed");
        return factory.GetType().GetField("_callSiteCache", Members)?.GetValue(factory) as IDictionary
            ?? throw new InvalidOperationException("CallSiteFactory has no _callSiteCache: the container's internals changed");
    }

    private static void Walk(object? site, HashSet<object> visited, Action<object> each)
    {
        if (site is null || !visited.Add(site))
        {
            return;
        }

        each(site);
        foreach (var children in new[] { "ParameterCallSites", "ServiceCallSites" })
        {
            if (site.GetType().GetProperty(children, Members)?.GetValue(site) is IEnumerable sites)
            {
                foreach (var child in sites)
                {
                    Walk(child, visited, each);
                }
            }
        }
    }

    private static void Visit(object? site, HashSet<Type> types, HashSet<object> visited)
    {
        if (site is null || !visited.Add(site))
        {
            return;
        }

        var siteType = site.GetType();
        Add(siteType.GetProperty("ServiceType", Members)?.GetValue(site) as Type, types);
        Add(siteType.GetProperty("ImplementationType", Members)?.GetValue(site) as Type, types);
        if (siteType.GetProperty("ItemType", Members)?.GetValue(site) is Type item)
        {
            Add(item.MakeArrayType(), types);
        }

        foreach (var children in new[] { "ParameterCallSites", "ServiceCallSites" })
        {
            if (siteType.GetProperty(children, Members)?.GetValue(site) is IEnumerable sites)
            {
                foreach (var child in sites)
                {
                    Visit(child, types, visited);
                }
            }
        }
    }

    private static void Add(Type? type, HashSet<Type> types)
    {
        if (type is null || !types.Add(type))
        {
            return;
        }

        if (type.IsArray)
        {
            Add(type.GetElementType(), types);
        }
        else if (type.IsConstructedGenericType)
        {
            foreach (var argument in type.GetGenericArguments())
            {
                Add(argument, types);
            }
        }
    }
}
