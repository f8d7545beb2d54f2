using System.Collections.Concurrent;
using System.Text.Json;
using Huntaze.LocalHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Huntaze.IntegrationTests.Observability;

/// <summary>
/// Stand-ins for PagerDuty's Events API v2 and a Slack incoming webhook on 127.0.0.1, answering as they document
/// (202 + <c>{"status":"success","dedup_key":…}</c>; 200 <c>ok</c>). Failures can be queued to test retries.
/// </summary>
public sealed class FakeAlertSinks : IAsyncDisposable
{
    public const string PagerDutyPath = "/v2/enqueue";
    public const string SlackPath = "/services/T000/B000/fake-webhook";

    private readonly WebApplication _pagerDuty;
    private readonly WebApplication _slack;

    private FakeAlertSinks(WebApplication pagerDuty, WebApplication slack)
    {
        _pagerDuty = pagerDuty;
        _slack = slack;
    }

    public ConcurrentQueue<JsonElement> PagerDutyEvents { get; } = new();

    public ConcurrentQueue<JsonElement> SlackMessages { get; } = new();

    /// <summary>Statuses PagerDuty answers before it accepts again (e.g. 500, 429).</summary>
    public ConcurrentQueue<int> PagerDutyFailures { get; } = new();

    public int PagerDutyAttempts => _pagerDutyAttempts;

    public string PagerDutyUrl { get; private set; } = "";

    public string SlackUrl { get; private set; } = "";

    private int _pagerDutyAttempts;

    public static async Task<FakeAlertSinks> StartAsync(CancellationToken cancellationToken)
    {
        var pagerDuty = Create();
        var slack = Create();
        var sinks = new FakeAlertSinks(pagerDuty, slack);
        pagerDuty.MapPost(PagerDutyPath, async (HttpContext http) =>
        {
            Interlocked.Increment(ref sinks._pagerDutyAttempts);
            if (sinks.PagerDutyFailures.TryDequeue(out var status))
            {
                return Results.StatusCode(status);
            }

            using var body = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            var root = body.RootElement.Clone();
            if (!root.TryGetProperty("routing_key", out _) || !root.TryGetProperty("event_action", out _))
            {
                return Results.Json(new { status = "invalid event", message = "Event object is invalid" }, statusCode: 400);
            }

            sinks.PagerDutyEvents.Enqueue(root);
            return Results.Json(new { status = "success", message = "Event processed", dedup_key = root.GetProperty("dedup_key").GetString() }, statusCode: 202);
        });
        slack.MapPost(SlackPath, async (HttpContext http) =>
        {
            using var body = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            sinks.SlackMessages.Enqueue(body.RootElement.Clone());
            return Results.Text("ok");
        });
        await pagerDuty.StartAsync(cancellationToken);
        await slack.StartAsync(cancellationToken);
        sinks.PagerDutyUrl = Address(pagerDuty) + PagerDutyPath;
        sinks.SlackUrl = Address(slack) + SlackPath;
        return sinks;
    }

    public async ValueTask DisposeAsync()
    {
        await _pagerDuty.StopAsync();
        await _slack.StopAsync();
        await _pagerDuty.DisposeAsync();
        await _slack.DisposeAsync();
    }

    private static WebApplication Create() => LoopbackServer.CreateBuilder().Build();

    private static string Address(WebApplication app) => LoopbackServer.AddressOf(app).GetLeftPart(UriPartial.Authority);
}
