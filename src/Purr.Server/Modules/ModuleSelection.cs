namespace Purr.Server.Modules;

/// <summary>
/// Picks the modules to run from those the host offers and the names in configuration, and refuses, with one
/// line an operator can act on, a name no module has or a module whose needs are not enabled.
/// </summary>
public static class ModuleSelection
{
    /// <returns>The modules to register, each after the modules it needs.</returns>
    public static IReadOnlyList<IPurrModule> Select(IReadOnlyList<IPurrModule> offered, IReadOnlyList<string>? configured)
    {
        var byName = new Dictionary<string, IPurrModule>(StringComparer.OrdinalIgnoreCase);
        foreach (var module in offered)
        {
            if (!byName.TryAdd(module.Name, module))
            {
                throw new ModuleConfigurationException($"two modules are called '{module.Name}'");
            }
        }

        var names = configured is { Count: > 0 } ? configured : [.. offered.Where(m => m.EnabledByDefault).Select(m => m.Name)];
        var chosen = new List<IPurrModule>();
        foreach (var name in names.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (!byName.TryGetValue(name, out var module))
            {
                throw new ModuleConfigurationException(
                    $"unknown module '{name}' (this purrd has: {string.Join(", ", offered.Select(m => m.Name))})");
            }

            chosen.Add(module);
        }

        foreach (var module in chosen)
        {
            foreach (var need in module.Needs)
            {
                if (!chosen.Any(m => string.Equals(m.Name, need, StringComparison.OrdinalIgnoreCase)))
                {
                    throw new ModuleConfigurationException($"{module.Name} needs {need}: add it to Modules or remove {module.Name}");
                }
            }
        }

        return Ordered(chosen);
    }

    /// <summary>Dependencies first (a module's needs are registered before it); a cycle is refused.</summary>
    private static List<IPurrModule> Ordered(List<IPurrModule> chosen)
    {
        var ordered = new List<IPurrModule>();
        var visiting = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        void Visit(IPurrModule module)
        {
            if (ordered.Contains(module))
            {
                return;
            }

            if (!visiting.Add(module.Name))
            {
                throw new ModuleConfigurationException($"modules need each other in a circle through {module.Name}");
            }

            foreach (var need in module.Needs)
            {
                Visit(chosen.First(m => string.Equals(m.Name, need, StringComparison.OrdinalIgnoreCase)));
            }

            visiting.Remove(module.Name);
            ordered.Add(module);
        }

        chosen.ForEach(Visit);
        return ordered;
    }
}

/// <summary>The configured modules cannot run together; the message is shown to the operator as is.</summary>
public sealed class ModuleConfigurationException(string message) : Exception(message);
