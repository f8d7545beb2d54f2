using System.Collections.Concurrent;
using System.Net.Sockets;
using Azure.Data.Tables;
using Huntaze.Functions.Platform.Orchestrations;
using Huntaze.Functions.Platform.Storage;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.LocalHost.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Huntaze.IntegrationTests.Platform;

/// <summary>What the local host does with development storage: start its own Azurite or join one, and say which.</summary>
public sealed class LocalAzuriteTests(HostFixture fixture)
{
    [Fact]
    public async Task Start_NothingListening_StartsItsOwnAzuriteAndSaysSo()
    {
        var ct = TestContext.Current.CancellationToken;
        var logger = new ListLogger();
        var location = Directory.CreateTempSubdirectory("huntaze-azurite-").FullName;
        var service = Service(logger, AzuritePorts.Free(), location);
        try
        {
            await service.StartAsync(ct);

            Assert.True(await AzuriteProcess.IsListeningAsync(service.Ports, ct));
            var message = Assert.Single(logger.Messages);
            Assert.Contains($"Started its own Azurite on 127.0.0.1:{service.Ports.Blob}-{service.Ports.Table}", message, StringComparison.Ordinal);
            Assert.Contains(location, message, StringComparison.Ordinal);
        }
        finally
        {
            await service.StopAsync(ct);
            Directory.Delete(location, recursive: true);
        }

        Assert.False(await AzuriteProcess.IsListeningAsync(service.Ports, ct));
    }

    [Fact]
    public async Task Start_AzuriteAlreadyListening_JoinsItAndWarnsThatItIsShared()
    {
        var ct = TestContext.Current.CancellationToken;
        var logger = new ListLogger();
        var service = Service(logger, fixture.Azurite.Ports, location: null);

        await service.StartAsync(ct);
        await service.StopAsync(ct);

        var message = Assert.Single(logger.Messages);
        Assert.StartsWith($"Warning: Joined the Azurite already listening on 127.0.0.1:{fixture.Azurite.Ports.Blob}-{fixture.Azurite.Ports.Table}, not started by this host", message, StringComparison.Ordinal);
        Assert.Contains("task hub HuntazeTest", message, StringComparison.Ordinal);
        Assert.True(await AzuriteProcess.IsListeningAsync(fixture.Azurite.Ports, ct)); // left running
    }

    /// <summary>
    /// Azurite keeps an idle connection longer than the storage clients' pools do (its own default is 5 s): a burst
    /// after a few quiet seconds reuses the connections instead of opening them again, and a client never reuses one the
    /// server is closing (session 12: reconnections after 5 s idle stalled requests at a burst's start for up to 1 s).
    /// </summary>
    [Fact]
    public async Task Start_ConnectionIdleSixSeconds_ServerKeepsItOpen()
    {
        var ct = TestContext.Current.CancellationToken;
        var opened = 0;
        using var handler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            MaxConnectionsPerServer = 1,
            ConnectCallback = async (context, token) =>
            {
                Interlocked.Increment(ref opened);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, token);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var client = new HttpClient(handler);
        var tables = new Uri($"http://127.0.0.1:{fixture.Azurite.Ports.Table}/devstoreaccount1/Tables");

        (await client.GetAsync(tables, ct)).Dispose(); // refused (no signature): any answer leaves the connection open
        await Task.Delay(TimeSpan.FromSeconds(6), ct);
        (await client.GetAsync(tables, ct)).Dispose();

        Assert.Equal(1, opened);
    }

    /// <summary>Azurite saves its store every few seconds; the local host's stop must let it save (SIGINT), not kill it.</summary>
    [Fact]
    public async Task Dispose_AzuriteWithDataOnDisk_KeepsEveryAcknowledgedWrite()
    {
        var ct = TestContext.Current.CancellationToken;
        var location = Directory.CreateTempSubdirectory("huntaze-azurite-").FullName;
        try
        {
            var ports = AzuritePorts.Free();
            var azurite = await AzuriteProcess.StartAsync(ports, location, ct);
            var table = new TableClient(azurite.ConnectionString, "Persisted");
            await table.CreateIfNotExistsAsync(ct);
            for (var i = 0; i < 20; i++)
            {
                await table.AddEntityAsync(new TableEntity("p", $"{i:D2}"), ct);
            }

            await azurite.DisposeAsync();
            await using var again = await AzuriteProcess.StartAsync(ports, location, ct);
            var kept = 0;
            await foreach (var _ in new TableClient(again.ConnectionString, "Persisted").QueryAsync<TableEntity>(cancellationToken: ct))
            {
                kept++;
            }

            Assert.Equal(20, kept);
        }
        finally
        {
            Directory.Delete(location, recursive: true);
        }
    }

    private static AzuriteHostedService Service(ILogger<AzuriteHostedService> logger, AzuritePorts ports, string? location) =>
        new(
            new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" }).Build(),
            Options.Create(new StorageOptions()),
            Options.Create(new TaskHubOptions { HubName = "HuntazeTest" }),
            logger)
        {
            Ports = ports,
            Location = location,
        };

    private sealed class ListLogger : ILogger<AzuriteHostedService>
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id != 9303)
            {
                Messages.Enqueue($"{logLevel}: {formatter(state, exception)}");
            }
        }
    }
}
