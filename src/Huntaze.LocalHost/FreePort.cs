using System.Net;
using System.Net.Sockets;

namespace Huntaze.LocalHost;

/// <summary>A loopback port the kernel says is free now (another process may still take it before use).</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
