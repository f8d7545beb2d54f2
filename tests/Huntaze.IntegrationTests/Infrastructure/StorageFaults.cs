using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Huntaze.Functions.Backups.Journal;
using Huntaze.Functions.Onboarding;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.Functions.Platform.Storage;
using Microsoft.Extensions.Options;

namespace Huntaze.IntegrationTests.Infrastructure;

/// <summary>
/// Storage clients configured exactly as the app configures them (<see cref="StorageServiceCollectionExtensions.Configure"/>),
/// with a test policy in the pipeline: Azurite cannot inject faults itself (Azurite #593).
/// </summary>
public static class StorageFaults
{
    public static StorageClients Clients(string connectionString, string prefix, HttpPipelinePolicy? policy, StorageOptions? options = null)
    {
        options ??= new StorageOptions { RetryDelay = TimeSpan.FromMilliseconds(10), MaxRetryDelay = TimeSpan.FromMilliseconds(50) };
        var tableOptions = StorageServiceCollectionExtensions.Configure(new TableClientOptions(), options);
        var blobOptions = StorageServiceCollectionExtensions.Configure(new BlobClientOptions(), options);
        if (policy is not null)
        {
            // Per retry: the policy sees every attempt the SDK's one retry layer makes.
            tableOptions.AddPolicy(policy, HttpPipelinePosition.PerRetry);
            blobOptions.AddPolicy(policy, HttpPipelinePosition.PerRetry);
        }

        return new StorageClients(new TableServiceClient(connectionString, tableOptions), new BlobServiceClient(connectionString, blobOptions), prefix, ScratchTables.WithAppMap);
    }

    /// <summary>The app's progress store over a scratch table of <see cref="ScratchTables"/>, with <paramref name="policy"/> in its pipeline.</summary>
    public static TableProgressStore ProgressStore(HostFixture fixture, string table, HttpPipelinePolicy? policy, StorageOptions? options = null)
    {
        var clients = Clients(fixture.Azurite.ConnectionString, fixture.TablePrefix, policy, options);
        return new TableProgressStore(clients, Options.Create(new OnboardingOptions { TableName = table }), new WriteJournal(clients, TimeProvider.System), new HeldGuides(TimeProvider.System));
    }
}

/// <summary>
/// The app's data map plus the scratch tables of storage-layer tests (a conditional-write table, a progress
/// table of their own): those tests exercise the storage layer itself, not a feature's data.
/// </summary>
public sealed class ScratchTables(IDeclaredStores app, params string[] tables) : IDeclaredStores
{
    public IReadOnlyList<string> Tables { get; } = tables;

    public static ScratchTables WithAppMap { get; } = new(Huntaze.Functions.Privacy.Registry.DataMap.Create(), "ConditionalWrites", "FaultProgress", "OutageProgress");

    public void EnsureTable(string logicalName)
    {
        if (!tables.Contains(logicalName, StringComparer.Ordinal))
        {
            app.EnsureTable(logicalName);
        }
    }

    public void EnsureContainer(string logicalName) => app.EnsureContainer(logicalName);
}

/// <summary>Lets the first matching request reach storage, then loses its response (the connection drops).</summary>
public sealed class LoseResponseAfterCommit(RequestMethod method) : HttpPipelinePolicy
{
    public bool Armed { get; set; }

    public int Attempts { get; private set; }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => throw new NotSupportedException();

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var matches = Armed && message.Request.Method == method;
        Attempts += matches ? 1 : 0;
        await ProcessNextAsync(message, pipeline);
        if (matches && Attempts == 1)
        {
            throw new IOException("Injected: the connection dropped after storage committed the write.");
        }
    }
}

/// <summary>Counts every attempt (per retry) of requests matching <see cref="Method"/> (all when null).</summary>
public sealed class CountAttempts : HttpPipelinePolicy
{
    private int _attempts;

    public RequestMethod? Method { get; set; }

    public int Attempts => _attempts;

    public void Reset() => Interlocked.Exchange(ref _attempts, 0);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => throw new NotSupportedException();

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (Method is null || message.Request.Method == Method)
        {
            Interlocked.Increment(ref _attempts);
        }

        return ProcessNextAsync(message, pipeline);
    }
}

/// <summary>Fails the first matching request with a connection reset before it is sent.</summary>
public sealed class FailBeforeSending(RequestMethod method) : HttpPipelinePolicy
{
    public bool Armed { get; set; }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => throw new NotSupportedException();

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (Armed && message.Request.Method == method)
        {
            Armed = false;
            throw new IOException("Injected: connection reset before the request was sent.");
        }

        await ProcessNextAsync(message, pipeline);
    }
}

/// <summary>
/// While <see cref="Down"/>, every attempt is sent to a local server that answers 503 Server Busy, the way an
/// overloaded storage account does (counted); otherwise requests pass through to storage.
/// </summary>
public sealed class Outage : HttpPipelinePolicy, IDisposable
{
    private readonly System.Net.Sockets.TcpListener _busy = new(System.Net.IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private int _attempts;

    public Outage()
    {
        _busy.Start();
        _ = AnswerBusyAsync();
    }

    public bool Down { get; set; }

    public int Attempts => _attempts;

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => throw new NotSupportedException();

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (Down)
        {
            Divert(message);
        }

        return ProcessNextAsync(message, pipeline);
    }

    /// <summary>Sends this one attempt to the busy server (503 Server Busy) instead of storage.</summary>
    public void Divert(HttpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Interlocked.Increment(ref _attempts);
        message.Request.Uri.Host = "127.0.0.1";
        message.Request.Uri.Port = ((System.Net.IPEndPoint)_busy.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _busy.Stop();
        _stop.Dispose();
    }

    private async Task AnswerBusyAsync()
    {
        var answer = "HTTP/1.1 503 Server Busy\r\nx-ms-error-code: ServerBusy\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray();
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var client = await _busy.AcceptTcpClientAsync(_stop.Token);
                var stream = client.GetStream();
                var buffer = new byte[8192];
                var seen = 0;
                // Read the request head; the body (if any) is left unread: the connection is closed after answering.
                while (seen < buffer.Length && !HeadComplete(buffer, seen))
                {
                    var read = await stream.ReadAsync(buffer.AsMemory(seen), _stop.Token);
                    if (read == 0)
                    {
                        break;
                    }

                    seen += read;
                }

                await stream.WriteAsync(answer, _stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or IOException or System.Net.Sockets.SocketException)
            {
                // Stopped, or the client went away.
            }
        }
    }

    private static bool HeadComplete(byte[] buffer, int length) => buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) >= 0;
}

/// <summary>
/// Storage that is slow and fails at random, drawn per attempt (the policy sits inside the SDK's one retry layer):
/// added latency, 503 Server Busy without reaching storage, or (writes only) the response lost after storage
/// committed. A busy draw re-points the request itself, so that call's retries meet 503 too and the call fails
/// once the retry layer gives up (storage busy for longer than the retry budget; one run of the contended counter
/// test drew 219 busy and answered 172 HTTP 503s): a busy draw exercises the app's 503 path, not the SDK's retries.
/// Draws come from one seeded <see cref="Random"/>; which request gets which draw depends on thread timing.
/// </summary>
public sealed class RandomStorageFaults(int seed) : HttpPipelinePolicy, IDisposable
{
    private readonly Random _random = new(seed);
    private readonly Outage _busy = new();
    private int _delayed;
    private int _lost;

    /// <summary>Share of attempts delayed by up to <see cref="MaxLatency"/>.</summary>
    public double SlowRate { get; set; }

    public TimeSpan MaxLatency { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Share of attempts answered 503 without reaching storage.</summary>
    public double BusyRate { get; set; }

    /// <summary>Share of write attempts whose response is lost after storage committed them.</summary>
    public double LostResponseRate { get; set; }

    public bool Enabled { get; set; } = true;

    public int Delayed => _delayed;

    public int Busy => _busy.Attempts;

    public int LostResponses => _lost;

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => throw new NotSupportedException();

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        double slow, busy, lose, latency;
        lock (_random)
        {
            (slow, busy, lose, latency) = (_random.NextDouble(), _random.NextDouble(), _random.NextDouble(), _random.NextDouble());
        }

        if (Enabled && slow < SlowRate)
        {
            Interlocked.Increment(ref _delayed);
            await Task.Delay(MaxLatency * latency, message.CancellationToken);
        }

        if (Enabled && busy < BusyRate)
        {
            _busy.Divert(message);
            await ProcessNextAsync(message, pipeline);
            return;
        }

        var write = message.Request.Method != RequestMethod.Get && message.Request.Method != RequestMethod.Head;
        await ProcessNextAsync(message, pipeline);
        if (Enabled && write && lose < LostResponseRate)
        {
            Interlocked.Increment(ref _lost);
            throw new IOException("Injected: the connection dropped after storage answered.");
        }
    }

    public void Dispose() => _busy.Dispose();
}
