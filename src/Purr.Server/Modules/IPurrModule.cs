using Microsoft.Extensions.DependencyInjection;

namespace Purr.Server.Modules;

/// <summary>
/// A feature switched on in configuration ("Modules"), Prosody-style: it registers its request handlers,
/// services, options (validated at start) and what it adds to the advertised limits, all from its own
/// folder. The core knows modules only through this interface; the host offers the modules it was built
/// with (one line each), and configuration picks among them.
/// </summary>
public interface IPurrModule
{
    /// <summary>The name configuration uses ("Modules:0=rooms") and /.well-known/purr lists.</summary>
    string Name { get; }

    /// <summary>Modules that must be enabled too; purrd refuses to start without them ("rooms needs mailboxes").</summary>
    IReadOnlyList<string> Needs => [];

    /// <summary>Whether the module runs when configuration names no modules at all.</summary>
    bool EnabledByDefault => true;

    /// <summary>
    /// Registers the module's services, each with a factory (<c>sp =&gt; new X(…)</c>) rather than by type: the container
    /// then does not reflect over constructors, which in the native AOT build was about a third of its work at start
    /// (AotStartupTypesTests fails on a Purr service registered by type).
    /// </summary>
    void Register(IServiceCollection services);
}
