namespace Purr.Server.Modules;

/// <summary>The names of the modules this server runs, in registration order.</summary>
public sealed record EnabledModules(IReadOnlyList<string> Names);
