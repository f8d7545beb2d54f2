using System.Net;
using System.Text;
using System.Text.Json;
using Huntaze.Functions.Platform.Http;
using Huntaze.IntegrationTests.Infrastructure;

namespace Huntaze.IntegrationTests.Contract.Fuzz;

/// <summary>What a fuzz run saw: counts by status and every broken rule, each with the request that broke it.</summary>
public sealed record FuzzReport(int Seed, int Sent, int ServerErrors, int Accepted, int Rejected, int TransportRejected, int ChecksumsCompared,
    IReadOnlyDictionary<int, int> ByStatus, IReadOnlyList<string> Failures, TimeSpan Elapsed)
{
    public string Summary() =>
        $"seed {Seed}: {Sent} requests in {Elapsed.TotalSeconds:F1} s; 5xx: {ServerErrors}; accepted (<400): {Accepted}; rejected by the app: {Rejected}; " +
        $"rejected by Kestrel: {TransportRejected}; stored-data checksums compared: {ChecksumsCompared}; failures: {Failures.Count}; by status: " +
        string.Join(", ", ByStatus.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"));
}

/// <summary>
/// Sends generated requests one at a time to a local host on 127.0.0.1 and checks every answer: never a 5xx; every
/// error is problem+json (status, type and title, no .NET internals) with the security headers and a correlation id;
/// and the stored data is the same after every rejected request as before it (a checksum after each request).
/// </summary>
public sealed class FuzzRunner(Uri baseAddress, StoredDataChecksum checksum)
{
    private static readonly string[] Internals = ["System.", "Microsoft.", "Huntaze.Functions", "Exception", "   at "];
    private static readonly TimeSpan PerRequest = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan SettleWindow = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(60);

    public async Task<FuzzReport> RunAsync(FuzzRequestGenerator generator, int seed, int count, CancellationToken cancellationToken)
    {
        if (!IPAddress.TryParse(baseAddress.Host, out var ip) || !IPAddress.IsLoopback(ip))
        {
            throw new InvalidOperationException($"The fuzzer only targets a loopback host, not {baseAddress}.");
        }

        using var handler = new SocketsHttpHandler
        {
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            // Sends the bytes outside ASCII that the NonAsciiHeaderBytes mutation asks for (the default refuses).
            RequestHeaderEncodingSelector = (_, _) => Encoding.Latin1,
        };
        using var client = new HttpClient(handler) { Timeout = PerRequest };
        var started = System.Diagnostics.Stopwatch.StartNew();
        var byStatus = new SortedDictionary<int, int>();
        var failures = new List<string>();
        int serverErrors = 0, accepted = 0, rejected = 0, transport = 0, compared = 0;
        var before = await checksum.ComputeAsync(cancellationToken).ConfigureAwait(false);
        for (var index = 0; index < count; index++)
        {
            var fuzz = generator.Next(index);
            var (status, problems) = await SendAsync(client, fuzz, cancellationToken).ConfigureAwait(false);
            byStatus[status] = byStatus.GetValueOrDefault(status) + 1;
            failures.AddRange(problems.Select(p => $"{p} ← {fuzz}"));
            serverErrors += status >= 500 ? 1 : 0;

            // Accepted requests may change data; rejected ones (by the app or by Kestrel) must not. An accepted
            // write may also start work that goes on in the background (a data-subject request's orchestration, a
            // DPO's resolve reaching one): the next request is compared only once the stored data holds still.
            var after = status < 400 && fuzz.Writes
                ? await SettledAsync(cancellationToken).ConfigureAwait(false)
                : await checksum.ComputeAsync(cancellationToken).ConfigureAwait(false);
            transport += fuzz.TransportLevel && status < 500 ? 1 : 0;
            rejected += !fuzz.TransportLevel && status >= 400 ? 1 : 0;
            if (status < 400)
            {
                accepted++;
            }
            else
            {
                compared++;
                var changed = before.Keys.Union(after.Keys).Where(k => before.GetValueOrDefault(k) != after.GetValueOrDefault(k)).ToList();
                if (changed.Count > 0)
                {
                    failures.Add($"{status}, but stored data changed ({string.Join(", ", changed)}) ← {fuzz}");
                }
            }

            before = after;
        }

        return new FuzzReport(seed, count, serverErrors, accepted, rejected, transport, compared, byStatus, failures, started.Elapsed);
    }

    /// <summary>The checksum once two readings <see cref="SettleWindow"/> apart agree (at most <see cref="SettleLimit"/>).</summary>
    private async Task<IReadOnlyDictionary<string, string>> SettledAsync(CancellationToken cancellationToken)
    {
        var reading = await checksum.ComputeAsync(cancellationToken).ConfigureAwait(false);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < SettleLimit)
        {
            await Task.Delay(SettleWindow, cancellationToken).ConfigureAwait(false);
            var next = await checksum.ComputeAsync(cancellationToken).ConfigureAwait(false);
            if (next.Count == reading.Count && next.All(p => reading.GetValueOrDefault(p.Key) == p.Value))
            {
                return next;
            }

            reading = next;
        }

        return reading;
    }

    private async Task<(int Status, List<string> Problems)> SendAsync(HttpClient client, FuzzRequest fuzz, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        using var request = new HttpRequestMessage(new HttpMethod(fuzz.Method), new Uri(baseAddress.GetLeftPart(UriPartial.Authority) + fuzz.PathAndQuery));
        if (fuzz.Body is not null || fuzz.Headers.Any(h => IsContentHeader(h.Key)))
        {
            request.Content = new ByteArrayContent(fuzz.Body ?? []);
            if (fuzz.ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", fuzz.ContentType);
            }
        }

        foreach (var (name, value) in fuzz.Headers)
        {
            var added = IsContentHeader(name)
                ? request.Content!.Headers.TryAddWithoutValidation(name, value)
                : request.Headers.TryAddWithoutValidation(name, value);
            if (!added)
            {
                problems.Add($"the generator made a header HttpClient cannot send ({name})");
            }
        }

        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // No answer at all (reset, or no answer within the per-request bound) counts as a server error.
            problems.Add($"no answer: {exception.GetType().Name}: {exception.Message}");
            return (599, problems);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (status >= 500)
            {
                problems.Add($"{status}: {Excerpt(body)}");
            }

            if (fuzz.TransportLevel)
            {
                // Kestrel answers before the app (docs/api/README.md, "Requests the server refuses"): bare 400/414/431.
                if (status is not (400 or 414 or 431) && status >= 400)
                {
                    problems.Add($"a request Kestrel should refuse was answered {status}");
                }

                return (status, problems);
            }

            problems.AddRange(ResponseInvariantsHandler.Violations(response).Select(v => $"{status}: {v}"));
            if (status >= 400)
            {
                CheckProblem(fuzz, response, status, body, problems);
            }

            return (status, problems);
        }
    }

    private static void CheckProblem(FuzzRequest fuzz, HttpResponseMessage response, int status, string body, List<string> problems)
    {
        if (response.Content.Headers.ContentType?.MediaType != ProblemWriter.ContentType)
        {
            problems.Add($"{status}: Content-Type '{response.Content.Headers.ContentType}', not problem+json");
            return;
        }

        if (fuzz.Method == "HEAD")
        {
            return;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (!root.TryGetProperty("status", out var s) || s.GetInt32() != status
                || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("title", out var title) || title.ValueKind != JsonValueKind.String)
            {
                problems.Add($"{status}: the problem lacks status/type/title: {Excerpt(body)}");
            }
        }
        catch (JsonException)
        {
            problems.Add($"{status}: the problem is not JSON: {Excerpt(body)}");
            return;
        }

        if (Internals.FirstOrDefault(i => body.Contains(i, StringComparison.Ordinal)) is { } leak)
        {
            problems.Add($"{status}: the problem shows internals ('{leak}'): {Excerpt(body)}");
        }
    }

    private static bool IsContentHeader(string name) => name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase);

    private static string Excerpt(string body) => body.Length > 300 ? body[..300] + "…" : body;
}
