using System.Text.Json.Nodes;
using System.Threading.Channels;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.DevTools;

namespace Huntaze.IntegrationTests.Privacy;

/// <summary>
/// Holds the browser's requests for one URL pattern before they are sent (CDP Fetch interception over Selenium's
/// DevTools session) until the test lets each one through or fails it: a slow or dead network for one file, on cue
/// rather than after a guessed delay.
/// </summary>
internal sealed class HeldRequests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly DevToolsSession _session;
    private readonly string _urlPattern;
    private readonly Channel<string> _paused = Channel.CreateUnbounded<string>();

    private HeldRequests(DevToolsSession session, string urlPattern)
    {
        _session = session;
        _urlPattern = urlPattern;
    }

    /// <summary>Holds every later request of the browser's page whose URL matches <paramref name="urlPattern"/> (CDP wildcards).</summary>
    public static async Task<HeldRequests> StartAsync(ChromeDriver browser, string urlPattern, CancellationToken ct)
    {
        // Only raw commands are sent, so any protocol version Selenium accepts for this browser will do (it takes
        // browsers up to 5 majors newer than the newest version it ships).
        var session = browser.GetDevToolsSession();
        var held = new HeldRequests(session, urlPattern);
        session.DevToolsEventReceived += held.OnEvent;
        await session.SendCommand(
            "Fetch.enable",
            new JsonObject { ["patterns"] = new JsonArray(new JsonObject { ["urlPattern"] = urlPattern, ["requestStage"] = "Request" }) },
            ct);
        return held;
    }

    /// <summary>Waits until the next matching request is held, and returns its id.</summary>
    public async Task<string> NextAsync(CancellationToken ct)
    {
        try
        {
            return await _paused.Reader.ReadAsync(ct).AsTask().WaitAsync(Patience, ct);
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"No request for {_urlPattern} was held within {Patience.TotalSeconds:0} s.");
        }
    }

    /// <summary>Sends a held request on, unchanged.</summary>
    public Task ContinueAsync(string requestId, CancellationToken ct) =>
        _session.SendCommand("Fetch.continueRequest", new JsonObject { ["requestId"] = requestId }, ct);

    /// <summary>Fails a held request as a refused connection would (the page sees a network error).</summary>
    public Task FailAsync(string requestId, CancellationToken ct) =>
        _session.SendCommand("Fetch.failRequest", new JsonObject { ["requestId"] = requestId, ["errorReason"] = "ConnectionRefused" }, ct);

    // Only records the id: answering from the session's event thread could wait on that same thread.
    private void OnEvent(object? sender, DevToolsEventReceivedEventArgs e)
    {
        if (e.DomainName == "Fetch" && e.EventName == "requestPaused")
        {
            _paused.Writer.TryWrite(e.EventData.GetProperty("requestId").GetString()!);
        }
    }
}
