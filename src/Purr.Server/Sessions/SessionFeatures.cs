namespace Purr.Server.Sessions;

/// <summary>
/// Per-connection state that modules own (ASP.NET Core's feature-collection idea): each module keeps its
/// own type here, so the core's session type holds no module's state. Created on first use, dropped with
/// the connection.
/// </summary>
public sealed class SessionFeatures
{
    private readonly Lock gate = new();
    private readonly Dictionary<Type, object> features = [];

    public T GetOrAdd<T>(Func<T> create)
        where T : class
    {
        lock (gate)
        {
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
            return features.TryGetValue(typeof(T), out var feature) ? (T)feature : null;
        }
    }
}
