using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace Purr.Server.Transport;

/// <summary>
/// Wraps Kestrel's socket transport so that <see cref="SocketAdmission"/> decides inside the accept loop:
/// a socket beyond the caps is closed before the next accept. Refusing later (in connection middleware)
/// was not enough: on two cores the accept loop outran the thread pool, refused sockets piled up waiting
/// to be closed, the process hit its descriptor limit and the runtime aborted.
/// </summary>
internal sealed class AdmittingListenerFactory(IConnectionListenerFactory inner, SocketAdmission admission)
    : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    /// <summary>Replaces every registered transport with one that admits through <see cref="SocketAdmission"/>.</summary>
    public static void Decorate(IServiceCollection services)
    {
        for (var i = 0; i < services.Count; i++)
        {
            var descriptor = services[i];
            if (descriptor.ServiceType != typeof(IConnectionListenerFactory) || descriptor.IsKeyedService)
            {
                continue;
            }

            services[i] = ServiceDescriptor.Singleton<IConnectionListenerFactory>(sp => new AdmittingListenerFactory(
                Resolve(sp, descriptor), sp.GetRequiredService<SocketAdmission>()));
        }
    }

    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        new AdmittingListener(await inner.BindAsync(endpoint, cancellationToken), admission);

    public bool CanBind(EndPoint endpoint) => inner is not IConnectionListenerFactorySelector selector || selector.CanBind(endpoint);

    private static IConnectionListenerFactory Resolve(IServiceProvider services, ServiceDescriptor descriptor) =>
        (IConnectionListenerFactory)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!));

    private sealed class AdmittingListener(IConnectionListener inner, SocketAdmission admission) : IConnectionListener
    {
        public EndPoint EndPoint => inner.EndPoint;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            while (true)
            {
                var connection = await inner.AcceptAsync(cancellationToken);
                if (connection is null || await admission.TryAdmitAsync(connection))
                {
                    return connection;
                }
            }
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default) => inner.UnbindAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
