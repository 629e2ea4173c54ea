namespace Purr.Server.Sessions;

/// <summary>
/// Per-connection state that modules own (ASP.NET Core's feature-collection idea): each module keeps its
/// own type here, so the core's session type holds no module's state. Created on first use, dropped with
/// the connection.
/// </summary>
public sealed class SessionFeatures
{
    private readonly Lock gate = new();
    // Created on the first feature: most idle connections never have one.
    private Dictionary<Type, object>? features;

    public T GetOrAdd<T>(Func<T> create)
        where T : class
    {
        lock (gate)
        {
            features ??= [];
            if (!features.TryGetValue(typeof(T), out var feature))
            {
                features[typeof(T)] = feature = create();
            }

            return (T)feature;
        }
    }

    public T? Get<T>()
        where T : class
    {
        lock (gate)
        {
            return features is not null && features.TryGetValue(typeof(T), out var feature) ? (T)feature : null;
        }
    }
}
