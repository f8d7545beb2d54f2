using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Huntaze.Functions.Platform.Http;
using Huntaze.IntegrationTests.Infrastructure;
using Huntaze.LocalHost.Storage;

namespace Huntaze.IntegrationTests.Contract.Faults;

/// <summary>
/// Issue 15, item 4 (storage stopped mid-load): clients read the guide and the flags and write steps through the
/// local host while its Azurite (data on disk) is stopped and restarted on the same ports and folder. Stopped
/// with SIGINT (<see cref="AzuriteProcess.DisposeAsync"/>) so it saves its store: a SIGKILL loses Azurite's recent
/// writes by itself, which would say nothing about the app.
/// </summary>
public sealed class AzuriteRestartUnderLoadTests
{
    private const string Step = "creator_assessment";
    private const int Writers = 3;
    private const int Readers = 2;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(2);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 300_000)]
    public async Task Load_AzuriteStoppedThenRestarted_503WithRetryAfterCachedFlagsServedRecoversAndKeepsEveryAcknowledgedWrite()
    {
        var ct = TestContext.Current.CancellationToken;
        var ports = AzuritePorts.Free();
        var folder = Directory.CreateTempSubdirectory("huntaze-restart-");
        var azurite = await AzuriteProcess.StartAsync(ports, folder.FullName, ct);
        AzuriteProcess? restarted = null;
        var stoppedOnce = false;
        try
        {
            var settings = HostFixture.BaseSettings(azurite.ConnectionString, "restart");
            settings["RateLimits__step-writes__Limit"] = "1000000";
            await using var host = await LocalHostInstance.StartAsync(settings, ct);
            await host.WaitUntilOnboardingEnabledAsync();
            var run = new Run();
            var writers = Enumerable.Range(0, Writers).Select(_ => new Writer(Client(host, HostFixture.NewUserId("restart")))).ToArray();
            var readers = Enumerable.Range(0, Readers).Select(_ => Client(host, HostFixture.NewUserId("reader"))).ToArray();
            await using var liveness = new LivenessProbe(host);
            using var stop = new CancellationTokenSource();
            var load = Task.WhenAll(writers.Select(w => w.RunAsync(run, stop.Token)).Concat(readers.Select(r => ReadAsync(r, run, stop.Token))));
            // A failure seen by a client ends every wait below: the assertions then report it.
            bool Over() => !run.Failures.IsEmpty || load.IsCompleted;

            await Eventually.HoldsAsync(() => Task.FromResult(writers.All(w => w.Acknowledged >= 5) && run.FlagsServed > 5 || Over()),
                TimeSpan.FromSeconds(120), "every writer has 5 acknowledged writes before the stop", TimeSpan.FromMilliseconds(100));
            var ackedBeforeStop = writers.Sum(w => w.Acknowledged);

            await azurite.DisposeAsync();
            stoppedOnce = true;
            run.Down = true;
            var stopped = Stopwatch.StartNew();
            using var probe = host.CreateClient();
            await Eventually.HoldsAsync(async () =>
            {
                using var ready = await probe.GetAsync("/api/health/ready", Ct);
                return ready.StatusCode == HttpStatusCode.ServiceUnavailable && ready.Headers.RetryAfter?.Delta > TimeSpan.Zero;
            }, TimeSpan.FromSeconds(30), "readiness answers 503 with Retry-After once Azurite is stopped", TimeSpan.FromMilliseconds(20));
            var readinessAfter = stopped.Elapsed;
            var (writeStatus, writeAfter) = await ProbeWriteAsync(host);
            var flagsBefore = run.FlagsServedWhileDown;
            var livenessBefore = liveness.Answered;
            await Eventually.HoldsAsync(() => Task.FromResult(run.FlagsServedWhileDown > flagsBefore + 5 && writers.All(w => w.UnavailableWhileDown > 0) && liveness.Answered > livenessBefore + 5 || Over()),
                TimeSpan.FromSeconds(60), "flags served, every writer refused with 503 and liveness answering while storage is down", TimeSpan.FromMilliseconds(100));
            var downFor = stopped.Elapsed;

            restarted = await AzuriteProcess.StartAsync(ports, folder.FullName, ct);
            run.Down = false;
            await Eventually.HoldsAsync(async () =>
            {
                using var ready = await probe.GetAsync("/api/health/ready", Ct);
                return ready.StatusCode == HttpStatusCode.OK || Over();
            }, TimeSpan.FromSeconds(60), "readiness answers 200 again without restarting the app", TimeSpan.FromMilliseconds(100));
            var acknowledgedAtRestart = writers.Select(w => w.Acknowledged).ToArray();
            await Eventually.HoldsAsync(() => Task.FromResult(writers.Select((w, i) => w.Acknowledged >= acknowledgedAtRestart[i] + 5).All(x => x) || Over()),
                TimeSpan.FromSeconds(120), "every writer has 5 more acknowledged writes after the restart", TimeSpan.FromMilliseconds(100));

            await stop.CancelAsync();
            await load;
            var stored = new List<int>();
            foreach (var writer in writers)
            {
                var (_, value) = await writer.ReadAsync(run, CancellationToken.None);
                stored.Add(value);
                if (value < writer.LastAcknowledged || value > writer.LastAttempted)
                {
                    run.Failures.Add($"stored {value}, acknowledged up to {writer.LastAcknowledged}, attempted up to {writer.LastAttempted}");
                }
            }

            var summary = string.Create(CultureInfo.InvariantCulture,
                $"Azurite stopped (SIGINT) and restarted under load: {Writers} writers, {Readers} readers; writes acknowledged {writers.Sum(w => w.Acknowledged)} ({ackedBeforeStop} before the stop), " +
                $"each writer's last acknowledged value read back: {string.Join(", ", writers.Select((w, i) => $"{w.LastAcknowledged}→{stored[i]}"))}; " +
                $"readiness 503 {readinessAfter.TotalMilliseconds:F0} ms after the stop, a write {(int)writeStatus} after {writeAfter.TotalMilliseconds:F0} ms; storage down {downFor.TotalSeconds:F1} s; " +
                $"while down: flags served {run.FlagsServedWhileDown}, writers' reads and writes answered 503 {writers.Sum(w => w.UnavailableWhileDown)}; {run.Requests} requests, 5xx other than 503: {run.ServerErrors}, 503 without Retry-After: {run.UnavailableWithoutRetryAfter}; {liveness.Summary}");
            RunSettings.Report("[restart] " + summary);

            Assert.Empty(run.Failures.Take(20));
            Assert.False(load.IsFaulted, summary);
            Assert.Equal(0, run.ServerErrors);
            Assert.Equal(0, run.UnavailableWithoutRetryAfter);
            Assert.True(readinessAfter <= Bound, $"readiness turned 503 {readinessAfter.TotalMilliseconds:F0} ms after the stop (bound {Bound.TotalSeconds} s)");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, writeStatus);
            Assert.True(writeAfter <= Bound, $"a write answered 503 after {writeAfter.TotalMilliseconds:F0} ms (bound {Bound.TotalSeconds} s)");
            Assert.Equal(0, liveness.Failed);
        }
        finally
        {
            if (restarted is not null)
            {
                await restarted.DisposeAsync();
            }
            else if (!stoppedOnce)
            {
                await azurite.DisposeAsync();
            }

            folder.Delete(recursive: true);
        }
    }

    /// <summary>One write sent once storage is down, timed from send to answer (the issue's 2 s bound).</summary>
    private static async Task<(HttpStatusCode Status, TimeSpan Elapsed)> ProbeWriteAsync(LocalHostInstance host)
    {
        using var client = Client(host, HostFixture.NewUserId("probe"));
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/onboarding/steps/{Step}")
        {
            Content = new StringContent("""{"data":{"n":1}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        var started = Stopwatch.GetTimestamp();
        using var response = await client.SendAsync(request, Ct);
        var elapsed = Stopwatch.GetElapsedTime(started);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "the write's 503 carries Retry-After");
        Assert.Equal(ProblemWriter.ContentType, response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, elapsed);
    }

    /// <summary>A reader: the guide (503 while storage is down) and the flags (served from the cached snapshot).</summary>
    private static async Task ReadAsync(HttpClient client, Run run, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var down = run.Down;
            var (status, _) = await run.SendAsync(client, new HttpRequestMessage(HttpMethod.Get, "/api/features"));
            if (status == HttpStatusCode.OK)
            {
                run.FlagServed(down);
            }
            else
            {
                run.Failures.Add($"GET /api/features answered {(int)status}{(down ? " while storage was down" : "")}");
            }

            await run.SendAsync(client, new HttpRequestMessage(HttpMethod.Get, "/api/onboarding"));
            await Task.Delay(TimeSpan.FromMilliseconds(20), CancellationToken.None);
        }
    }

    private static HttpClient Client(LocalHostInstance host, string user)
    {
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", HostFixture.CreateToken(user, "FR", ["user"], TimeSpan.FromHours(1)));
        return client;
    }

    /// <summary>
    /// One user writing its step's <c>data.n</c> upwards, one write at a time: read, write n + 1 with If-Match and an
    /// Idempotency-Key, re-send the same request after a 503. Every read checks that the last acknowledged value is
    /// still there (a lost acknowledged write would show as a smaller n).
    /// </summary>
    private sealed class Writer(HttpClient client)
    {
        private int _acknowledged, _unavailableWhileDown;

        public int Acknowledged => Volatile.Read(ref _acknowledged);

        /// <summary>This writer's reads and writes answered 503 while storage was down.</summary>
        public int UnavailableWhileDown => Volatile.Read(ref _unavailableWhileDown);

        public int LastAcknowledged { get; private set; }

        public int LastAttempted { get; private set; }

        public async Task RunAsync(Run run, CancellationToken stop)
        {
            while (!stop.IsCancellationRequested && run.Failures.IsEmpty)
            {
                var (etag, stored) = await ReadAsync(run, stop);
                if (etag is null)
                {
                    return;
                }

                if (stored < LastAcknowledged)
                {
                    run.Failures.Add($"read {stored} after {LastAcknowledged} was acknowledged");
                    return;
                }

                var next = stored + 1;
                LastAttempted = next;
                var body = new JsonObject { ["data"] = new JsonObject { ["n"] = next } }.ToJsonString();
                // Re-sent after a 503 until answered otherwise (even once asked to stop: the outcome must be known).
                while (true)
                {
                    var down = run.Down;
                    using var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/onboarding/steps/{Step}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                    request.Headers.TryAddWithoutValidation("If-Match", etag);
                    request.Headers.Add("Idempotency-Key", $"n{next}");
                    var (status, _) = await run.SendAsync(client, request);
                    if (status == HttpStatusCode.OK)
                    {
                        LastAcknowledged = next;
                        Interlocked.Increment(ref _acknowledged);
                        break;
                    }

                    if (status != HttpStatusCode.ServiceUnavailable)
                    {
                        run.Failures.Add($"PATCH n={next} answered {(int)status}");
                        return;
                    }

                    if (down)
                    {
                        Interlocked.Increment(ref _unavailableWhileDown);
                    }
                }
            }
        }

        /// <summary>The step's ETag and stored n, re-read through 503s; a null ETag when asked to stop meanwhile.</summary>
        public async Task<(string? ETag, int N)> ReadAsync(Run run, CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                var (status, text) = await run.SendAsync(client, new HttpRequestMessage(HttpMethod.Get, $"/api/onboarding/steps/{Step}"));
                if (status == HttpStatusCode.OK)
                {
                    using var document = JsonDocument.Parse(text);
                    var root = document.RootElement;
                    var n = root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object && data.TryGetProperty("n", out var value) ? value.GetInt32() : 0;
                    return (root.GetProperty("etag").GetString(), n);
                }

                if (status != HttpStatusCode.ServiceUnavailable)
                {
                    run.Failures.Add($"GET step answered {(int)status}");
                    return (null, 0);
                }

                if (run.Down)
                {
                    Interlocked.Increment(ref _unavailableWhileDown);
                }
            }

            return (null, 0);
        }
    }

    private sealed class Run
    {
        private int _requests, _serverErrors, _withoutRetryAfter, _flags, _flagsWhileDown;

        public volatile bool Down;

        public ConcurrentBag<string> Failures { get; } = [];

        public int Requests => Volatile.Read(ref _requests);

        public int ServerErrors => Volatile.Read(ref _serverErrors);

        public int UnavailableWithoutRetryAfter => Volatile.Read(ref _withoutRetryAfter);

        public int FlagsServed => Volatile.Read(ref _flags);

        public int FlagsServedWhileDown => Volatile.Read(ref _flagsWhileDown);

        public void FlagServed(bool down)
        {
            Interlocked.Increment(ref _flags);
            if (down)
            {
                Interlocked.Increment(ref _flagsWhileDown);
            }
        }

        /// <summary>Sends (and disposes) one request: a 5xx other than 503 is counted, a 503 is checked and waited out (at most 100 ms).</summary>
        public async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpClient client, HttpRequestMessage request)
        {
            using (request)
            {
                using var response = await client.SendAsync(request, CancellationToken.None);
                Interlocked.Increment(ref _requests);
                var text = await response.Content.ReadAsStringAsync(CancellationToken.None);
                if ((int)response.StatusCode >= 500 && response.StatusCode != HttpStatusCode.ServiceUnavailable)
                {
                    Interlocked.Increment(ref _serverErrors);
                    Failures.Add($"{request.Method} {request.RequestUri} answered {(int)response.StatusCode}: {text}");
                }

                if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    if (response.Headers.RetryAfter?.Delta is not { } wait || response.Content.Headers.ContentType?.MediaType != ProblemWriter.ContentType)
                    {
                        Interlocked.Increment(ref _withoutRetryAfter);
                        Failures.Add($"{request.Method} {request.RequestUri}: 503 without Retry-After or problem+json");
                    }
                    else
                    {
                        await Task.Delay(wait < TimeSpan.FromMilliseconds(100) ? wait : TimeSpan.FromMilliseconds(100), CancellationToken.None);
                    }
                }

                return (response.StatusCode, text);
            }
        }
    }
}
