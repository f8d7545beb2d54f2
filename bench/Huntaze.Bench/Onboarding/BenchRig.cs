using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Huntaze.Cli.Tokens;
using Huntaze.Functions.Backups.Journal;
using Huntaze.Functions.Onboarding;
using Huntaze.Functions.Onboarding.Progress;
using Huntaze.Functions.Platform.Storage;
using Huntaze.LocalHost;
using Huntaze.LocalHost.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Huntaze.Bench.Onboarding;

/// <summary>
/// Azurite on free ports plus the local host over it, and the same storage work done directly with
/// Azure.Data.Tables: one partition query (GET) and one point read plus one conditional update (PATCH).
/// </summary>
internal sealed class BenchRig : IAsyncDisposable
{
    public const string Issuer = "https://huntaze.local/bench";
    public const string Audience = "api://huntaze-onboarding";
    public const string Step = "creator_assessment";
    private static readonly string SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private readonly AzuriteProcess _azurite;
    private readonly WebApplication _app;
    private readonly Uri _baseAddress;
    private readonly TableClient _rawTable;
    private FloorEndpoint? _floor;
    private volatile bool _disposing;

    /// <summary>The table of the raw storage work (not app data), for scenarios of their own.</summary>
    public TableClient RawTable => _rawTable;
    private readonly Dictionary<string, HttpClient> _clients = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _etags = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _tokens = new();
    private readonly System.Collections.Concurrent.ConcurrentBag<WireClient> _wires = [];

    private BenchRig(AzuriteProcess azurite, WebApplication app, Uri baseAddress, TableClient rawTable)
    {
        _azurite = azurite;
        _app = app;
        _baseAddress = baseAddress;
        _rawTable = rawTable;
    }

    public static Task<BenchRig> StartAsync(CancellationToken cancellationToken) => StartAsync(null, cancellationToken);

    /// <summary><paramref name="configureServices"/> runs after the app's composition (e.g. to count storage requests).</summary>
    public static Task<BenchRig> StartAsync(Action<IServiceCollection>? configureServices, CancellationToken cancellationToken) =>
        StartAsync(null, configureServices, cancellationToken);

    /// <summary><paramref name="overrides"/> replace the bench's settings (e.g. the production rate limits).</summary>
    public static async Task<BenchRig> StartAsync(IReadOnlyDictionary<string, string?>? overrides, Action<IServiceCollection>? configureServices, CancellationToken cancellationToken)
    {
        var azurite = await AzuriteProcess.StartAsync(AzuritePorts.Free(), location: null, cancellationToken);
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Storage__TablePrefix"] = "bench",
            ["Auth__Issuer"] = Issuer,
            ["Auth__Audience"] = Audience,
            ["Auth__DevelopmentSigningKey"] = SigningKey,
            ["Flags__SeedEnabled__0"] = "Onboarding",
            // Limits raised so closed-loop workers are never refused, but reservation sizes pinned to what
            // the production limits give (600/min → 12 growing to at most 60, 20/min → 1): each request pays the
            // real limiter cost.
            ["RateLimits__reads__Limit"] = "100000000",
            ["RateLimits__reads__ReservationSize"] = "12",
            ["RateLimits__reads__MaxReservationSize"] = "60",
            ["RateLimits__step-writes__Limit"] = "100000000",
            ["RateLimits__step-writes__ReservationSize"] = "1",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var app = LocalHostApp.Build(LoopbackServer.Arguments, new LocalHostOptions { Settings = BenchTimers.Quiet(settings), UseLocalSettingsFile = false, PrintFunctionTable = false, ConfigureServices = configureServices });
        await app.StartAsync(cancellationToken);
        var address = LoopbackServer.AddressOf(app);
        // The raw baseline works in the app's own progress table, on partitions of its own ("raw-…", through the
        // service client, so outside the app's stores): Azurite scans a whole table per query, and the app's table
        // grows with the point-in-time journal rows the API's writes add (issue 12), so a separate small table
        // would flatter the raw column. Same table, same query, same Azurite collection.
        var storage = app.Services.GetRequiredService<StorageClients>();
        var raw = storage.TableService.GetTableClient(storage.TableName(app.Services.GetRequiredService<IOptions<OnboardingOptions>>().Value.TableName));
        await raw.CreateIfNotExistsAsync(cancellationToken);
        var rig = new BenchRig(azurite, app, address, raw);

        // SIGTERM or Ctrl+C stops the host (its console lifetime takes the signal) but not the load the bench drives
        // through it: end the process, which also stops Azurite (its process-exit hook), rather than keep running.
        app.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().ApplicationStopping.Register(() =>
        {
            if (!rig._disposing)
            {
                Console.Error.WriteLine("bench host stopped by a signal: exiting");
                _ = Task.Run(() => Environment.Exit(143));
            }
        });
        await rig.WaitUntilEnabledAsync(cancellationToken);
        return rig;
    }

    /// <summary>The operation served by <see cref="FloorEndpoint"/>: a GET's HTTP hop and point read, no app code.</summary>
    public const string FloorGet = "GET, bare HTTP endpoint (floor)";

    /// <summary>Starts the floor endpoint, answering the body the API answers a bench user (run before measuring <see cref="FloorGet"/>).</summary>
    public async Task StartFloorAsync(CancellationToken cancellationToken)
    {
        const string probe = "bench-floor-probe";
        _rawTable.UpsertEntity(RawGuide(probe), cancellationToken: cancellationToken);
        var body = await Client(probe).GetByteArrayAsync("/api/onboarding", cancellationToken);
        _floor = await FloorEndpoint.StartAsync(_rawTable, body, cancellationToken);
    }

    /// <summary>The "(one user)" form of an operation: every worker acts as the same user (tabs, a shared NAT address).</summary>
    public const string OneUser = " (one user)";

    /// <summary>Answers other than 2xx by operation and status, for the report (errors are counted, not explained, by the runner).</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, int> Failures { get; } = new();

    public Func<Task<bool>> ApiOperation(string operation, int level, int worker)
    {
        if (operation == FloorGet)
        {
            var floorUser = $"floor-{level}-{worker}";
            _rawTable.UpsertEntity(RawGuide(floorUser));
            var floor = _floor ?? throw new InvalidOperationException("StartFloorAsync first.");
            if (!UseHttpClient)
            {
                var wire = Wire(floor.Address);
                var request = WireClient.Request(floor.Address, "GET", FloorEndpoint.PathOf(floorUser), [("Authorization", $"Bearer {UserToken(floorUser)}")]);
                return async () => (await wire.SendAsync(request)).IsSuccess;
            }

            return floor.Get(floorUser, UserToken(floorUser));
        }

        var user = ApiUser(operation, level, worker);
        SeedGuide(user);
        if (!UseHttpClient)
        {
            return WireOperation(operation, user);
        }

        var client = Client(user);

        if (operation.StartsWith("GET", StringComparison.Ordinal))
        {
            return async () =>
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                using var response = await client.GetAsync("/api/onboarding");
                TraceIfSlow(operation, user, started);

                return Succeeded(operation, response);
            };
        }

        var counter = 0;
        return async () =>
        {
            var etag = _etags.GetValueOrDefault(user, "\"step-0\"");
            using var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/onboarding/steps/{Step}")
            {
                Content = new StringContent($"{{\"status\":\"in_progress\",\"data\":{{\"n\":{++counter}}}}}", Encoding.UTF8, "application/json"),
            };
            request.Headers.TryAddWithoutValidation("If-Match", etag);
            using var response = await client.SendAsync(request);
            if (response.Headers.ETag is { } tag)
            {
                _etags[user] = tag.ToString();
            }

            return Succeeded(operation, response);
        };
    }

    /// <summary>
    /// The load generator (HUNTAZE_BENCH_CLIENT): <see cref="WireClient"/>, a connection per worker sending bytes built
    /// once, unless set to "httpclient" (<see cref="HttpClient"/>, one per user, the generator until session 13).
    /// </summary>
    public static readonly bool UseHttpClient = Environment.GetEnvironmentVariable("HUNTAZE_BENCH_CLIENT") == "httpclient";

    /// <summary>The generator's name, for the report.</summary>
    public static string Generator => UseHttpClient ? "HttpClient" : "WireClient";

    /// <summary>An API operation through this worker's own <see cref="WireClient"/>, the same requests the HttpClient form sends.</summary>
    private Func<Task<bool>> WireOperation(string operation, string user)
    {
        var wire = Wire(_baseAddress);
        var bearer = $"Bearer {UserToken(user)}";
        if (operation.StartsWith("GET", StringComparison.Ordinal))
        {
            var request = WireClient.Request(_baseAddress, "GET", "/api/onboarding", [("Authorization", bearer)]);
            return async () =>
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                var response = await wire.SendAsync(request);
                TraceIfSlow(operation, user, started);
                return Succeeded(operation, response);
            };
        }

        var counter = 0;
        return async () =>
        {
            var etag = _etags.GetValueOrDefault(user, "\"step-0\"");
            var request = WireClient.Request(
                _baseAddress, "PATCH", $"/api/onboarding/steps/{Step}", [("Authorization", bearer), ("If-Match", etag)], $"{{\"status\":\"in_progress\",\"data\":{{\"n\":{++counter}}}}}");
            var response = await wire.SendAsync(request, wantETag: true);
            if (response.ETag is { } tag)
            {
                _etags[user] = tag;
            }

            return Succeeded(operation, response);
        };
    }

    private static readonly bool TracingSlices = Environment.GetEnvironmentVariable("HUNTAZE_BENCH_TRACE_SLICES") == "1";

    /// <summary>With HUNTAZE_BENCH_TRACE_SLICES=1, an API GET slower than 300 ms is printed with its time.</summary>
    private static void TraceIfSlow(string operation, string user, long started)
    {
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        if (TracingSlices && elapsed > TimeSpan.FromMilliseconds(300))
        {
            Console.Error.WriteLine($"slow {DateTime.UtcNow:HH:mm:ss.fff} {operation} {user}: {elapsed.TotalMilliseconds:0} ms");
        }
    }

    private WireClient Wire(Uri address)
    {
        var wire = new WireClient(address);
        _wires.Add(wire);
        return wire;
    }

    /// <summary>One development token per user, as a user's browser holds one (the host caches a validated token by its text).</summary>
    private string UserToken(string user) => _tokens.GetOrAdd(user, Token);

    /// <summary>The user an API operation of this worker acts as (a PATCH and a GET of the same level and worker share one).</summary>
    private static string ApiUser(string operation, int level, int worker) =>
        operation.EndsWith(OneUser, StringComparison.Ordinal) ? $"bench-{level}-one" : $"bench-{level}-{worker}";

    /// <summary>
    /// The user has a guide, as the raw side's does: a GET reads an entity, not a 404 (Azurite answers a missing entity
    /// at another cost than a found one; until session 6 every measured API GET read a missing guide).
    /// </summary>
    private void SeedGuide(string user)
    {
        try
        {
            _rawTable.AddEntity(RawGuide(user));
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // Seeded by an earlier operation of the same user: its writes stay.
        }
    }

    private bool Succeeded(string operation, WireResponse response)
    {
        if (!response.IsSuccess)
        {
            var title = response.ContentType?.StartsWith("application/problem+json", StringComparison.Ordinal) == true && response.Body is { } body
                && JsonDocument.Parse(body).RootElement.TryGetProperty("title", out var t) ? t.GetString() : null;
            Failures.AddOrUpdate($"{operation}: {response.Status} {title}", 1, (_, c) => c + 1);
        }

        return response.IsSuccess;
    }

    private bool Succeeded(string operation, HttpResponseMessage response) =>
        Succeeded(operation, response.IsSuccessStatusCode
            ? new WireResponse((int)response.StatusCode, null, null, null)
            : new WireResponse((int)response.StatusCode, null, response.Content.Headers.ContentType?.ToString(), response.Content.ReadAsStringAsync().GetAwaiter().GetResult()));

    /// <summary>
    /// The storage work an operation needs at the least, on the app's layout (ADR 0018): a GET is one point read of
    /// the user's guide entity, a PATCH one point read and one replace of it on its ETag.
    /// </summary>
    public Func<Task<bool>> RawOperation(string operation, int level, int worker)
    {
        if (operation.StartsWith("GET", StringComparison.Ordinal))
        {
            // The very entity the API's GET of this worker reads (its user's guide, as the API's PATCHes left it: write
            // ids, the write counter, the step's request key), not a fresh one: the same bytes for Azurite to find and
            // send, so the ratio prices the app and not a smaller entity (the raw side read a fresh guide until session 13).
            var reader = operation == FloorGet ? $"floor-{level}-{worker}" : ApiUser(operation, level, worker);
            SeedGuide(reader);
            return async () => (await _rawTable.GetEntityAsync<TableEntity>(reader, ProgressEntities.GuideKey(reader))).HasValue;
        }

        var user = operation.EndsWith(OneUser, StringComparison.Ordinal) ? $"raw-{level}-one" : $"raw-{level}-{worker}";
        _rawTable.UpsertEntity(RawGuide(user));

        return async () =>
        {
            var entity = (await _rawTable.GetEntityAsync<TableEntity>(user, ProgressEntities.GuideKey(user))).Value;
            entity["Revision"] = (entity.GetInt32("Revision") ?? 0) + 1;
            var response = await _rawTable.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace);
            return !response.IsError;
        };
    }

    /// <summary>A guide entity as the app stores one for a bench user: the state and the bench's step in progress.</summary>
    public static TableEntity RawGuide(string user)
    {
        var now = DateTimeOffset.UtcNow;
        var step = new StepProgress(Step, StepStatus.InProgress, 0, 1, "{\"n\":0}", now, null, now);
        return ProgressEntities.From(new ProgressSnapshot(user, new Stored<OnboardingState>(OnboardingState.Empty, null), new Dictionary<string, Stored<StepProgress>> { [Step] = new(step, null) }));
    }

    /// <summary>The bench host's own container.</summary>
    public IServiceProvider Services => _app.Services;

    public string ConnectionString => _azurite.ConnectionString;

    public Uri BaseAddress => _baseAddress;

    /// <summary>A development token for <paramref name="user"/> (role user, market US), valid for an hour.</summary>
    public static string Token(string user) =>
        DevTokenFactory.Create(new DevTokenRequest(user, ["user"], "US", Issuer, Audience, SigningKey, TimeSpan.FromHours(1)), DateTimeOffset.UtcNow);

    /// <summary>A client of the bench host (disposed with the rig) sending <paramref name="token"/>, or the user's own development token.</summary>
    public HttpClient Client(string user, string? token = null)
    {
        var key = token ?? user;
        if (!_clients.TryGetValue(key, out var client))
        {
            client = new HttpClient { BaseAddress = _baseAddress };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
                "Bearer", token ?? UserToken(user));
            _clients[key] = client;
        }

        return client;
    }

    private async Task WaitUntilEnabledAsync(CancellationToken cancellationToken)
    {
        var client = Client("bench-probe");
        for (var attempt = 0; attempt < 300; attempt++)
        {
            using var response = await client.GetAsync("/api/onboarding", cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.IsSuccessStatusCode && JsonDocument.Parse(body).RootElement.GetProperty("enabled").GetBoolean())
            {
                return;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new InvalidOperationException("Onboarding never became enabled on the bench host.");
    }

    public async ValueTask DisposeAsync()
    {
        _disposing = true;
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        foreach (var wire in _wires)
        {
            wire.Dispose();
        }

        if (_floor is not null)
        {
            await _floor.DisposeAsync();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        await _azurite.DisposeAsync();
    }
}
