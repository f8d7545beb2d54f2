using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Huntaze.LocalHost.Configuration;

namespace Huntaze.LocalHost.Storage;

/// <summary>Blob, queue and table ports of one Azurite instance.</summary>
public sealed record AzuritePorts(int Blob, int Queue, int Table)
{
    public static readonly AzuritePorts Default = new(10000, 10001, 10002);

    /// <summary>Three ports nothing listens on now.</summary>
    public static AzuritePorts Free() => new(FreePort.Next(), FreePort.Next(), FreePort.Next());
}

/// <summary>
/// An Azurite process (the npm package pinned in tools/azurite) that this process started and stops.
/// </summary>
public sealed class AzuriteProcess : IAsyncDisposable
{
    // Azurite's well-known development account; public by design, not a secret.
    /// <summary>
    /// How long Azurite keeps an idle connection (its default is 5 s): longer than the clients' own pool idle timeout
    /// (SocketsHttpHandler's 1 min), so the client closes idle connections first and never reuses one the server is
    /// closing, and a burst after a few quiet seconds does not reconnect (README, "Idle connections").
    /// </summary>
    private const string KeepAliveSeconds = "300";

    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private readonly Process _process;

    private readonly bool _persistent;

    private AzuriteProcess(Process process, AzuritePorts ports, bool persistent)
    {
        _process = process;
        _persistent = persistent;
        Ports = ports;
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    public AzuritePorts Ports { get; }

    public string ConnectionString => ConnectionStringFor(Ports);

    public bool HasExited => _process.HasExited;

    public static string ConnectionStringFor(AzuritePorts ports) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{ports.Blob}/devstoreaccount1;" +
        $"QueueEndpoint=http://127.0.0.1:{ports.Queue}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{ports.Table}/devstoreaccount1;";

    /// <summary>True when something accepts connections on every port.</summary>
    public static async Task<bool> IsListeningAsync(AzuritePorts ports, CancellationToken cancellationToken)
    {
        foreach (var port in new[] { ports.Blob, ports.Queue, ports.Table })
        {
            if (!await CanConnectAsync(port, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>How long Azurite may take to listen: node starting on a loaded machine took over a minute.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Starts Azurite on the ports and waits until all three listen (up to <see cref="StartTimeout"/>).</summary>
    /// <param name="location">A data folder, or null for in-memory persistence.</param>
    public static async Task<AzuriteProcess> StartAsync(AzuritePorts ports, string? location, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            FindEntryPoint(), "--silent", "--skipApiVersionCheck", "--disableTelemetry",
            "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
            "--blobPort", ports.Blob.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--queuePort", ports.Queue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tablePort", ports.Table.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--blobKeepAliveTimeout", KeepAliveSeconds, "--queueKeepAliveTimeout", KeepAliveSeconds, "--tableKeepAliveTimeout", KeepAliveSeconds,
        })
        {
            start.ArgumentList.Add(argument);
        }

        if (location is null)
        {
            start.ArgumentList.Add("--inMemoryPersistence");
        }
        else
        {
            Directory.CreateDirectory(location);
            start.ArgumentList.Add("--location");
            start.ArgumentList.Add(location);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node for Azurite.");
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var azurite = new AzuriteProcess(process, ports, location is not null);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StartTimeout);
            while (!await IsListeningAsync(ports, timeout.Token).ConfigureAwait(false))
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"Azurite exited with code {process.ExitCode} before listening.");
                }

                await Task.Delay(100, timeout.Token).ConfigureAwait(false);
            }

            return azurite;
        }
        catch
        {
            await azurite.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Stops Azurite. One with data on disk is asked to stop (SIGINT) so it saves what it holds: its store is
    /// written to disk every few seconds, and a kill loses the writes since the last save (README). An
    /// in-memory one has nothing to save and is killed.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        if (_persistent)
        {
            await ProcessSignals.StopGracefullyAsync(_process, TimeSpan.FromSeconds(15)).ConfigureAwait(false);
        }
        else
        {
            Kill();
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
    }

    /// <summary>Kills Azurite at once (SIGKILL), as a crash would: for measuring what its store keeps.</summary>
    public async Task KillAsync()
    {
        Kill();
        await _process.WaitForExitAsync().ConfigureAwait(false);
    }

    private void OnProcessExit(object? sender, EventArgs e) => Kill();

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static string FindEntryPoint()
    {
        var root = RepositoryPaths.FindRoot() ?? throw new InvalidOperationException("Cannot find the repository root (Huntaze.Functions.sln) to locate Azurite.");
        var entry = Path.Combine(root, "tools", "azurite", "node_modules", "azurite", "dist", "src", "azurite.js");
        return File.Exists(entry)
            ? entry
            : throw new InvalidOperationException($"Azurite is not installed at {entry}: run 'npm ci' in tools/azurite (the LocalHost build does it).");
    }

    private static async Task<bool> CanConnectAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
