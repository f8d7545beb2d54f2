using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Huntaze.Cli.Rollout;

public enum RolloutOutcome
{
    /// <summary>The flag is at the target stage.</summary>
    Completed,

    /// <summary>The next stage is refused for now (minimum dwell time); a later run goes on.</summary>
    Waiting,

    /// <summary>An alert fired: the rollout did not advance.</summary>
    StoppedByAlert,

    /// <summary>The alerts could not be read, so the rollout did not advance (fail safe).</summary>
    AlertsUnknown,

    /// <summary>The admin API failed or refused for another reason.</summary>
    Failed,
}

/// <summary>What to advance, how far, and whether the API may skip the dwell times.</summary>
public sealed record RolloutPlanRequest(string Flag, string TargetStage, bool Force, int MaxSteps);

/// <summary>
/// Advances a flag through the rollout stages with the admin API
/// (<c>POST /api/admin/feature-flags/{flag}/rollout</c>), one stage at a time, asking <see cref="AlertGate"/> before
/// every step and stopping as soon as an alert fires. The API enforces the dwell time of each stage (409 with
/// <c>earliestAt</c>); the driver then reports <see cref="RolloutOutcome.Waiting"/> and a later run continues.
/// </summary>
public sealed class RolloutDriver(HttpClient api, AlertGate alerts, TextWriter output)
{
    public async Task<RolloutOutcome> AdvanceAsync(RolloutPlanRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var flagPath = $"api/admin/feature-flags/{Uri.EscapeDataString(request.Flag)}";
        try
        {
            var current = await CurrentStageAsync(flagPath, cancellationToken).ConfigureAwait(false);
            output.WriteLine($"{request.Flag}: at stage {current ?? "(not started)"}, target {request.TargetStage}");
            for (var step = 0; ; step++)
            {
                if (current == request.TargetStage)
                {
                    output.WriteLine($"{request.Flag}: at the target stage {current}.");
                    return RolloutOutcome.Completed;
                }

                if (IsPast(current, request.TargetStage))
                {
                    output.WriteLine($"{request.Flag}: stage {current} is already past {request.TargetStage}; nothing to do (use the admin API to roll back).");
                    return RolloutOutcome.Completed;
                }

                if (step == request.MaxSteps)
                {
                    output.WriteLine($"{request.Flag}: {step} step(s) taken, the most one run may take; stopping at {current}.");
                    return RolloutOutcome.Completed;
                }

                var next = RolloutStages.After(current)!;
                IReadOnlyList<string> firing;
                try
                {
                    firing = await alerts.FiringAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (RolloutException e)
                {
                    output.WriteLine($"{request.Flag}: STOPPED at {current ?? "(not started)"}: cannot tell whether alerts fire ({e.Message}).");
                    return RolloutOutcome.AlertsUnknown;
                }

                if (firing.Count > 0)
                {
                    output.WriteLine($"{request.Flag}: STOPPED at {current ?? "(not started)"}: alert(s) firing: {string.Join(", ", firing)}.");
                    return RolloutOutcome.StoppedByAlert;
                }

                var moved = await MoveAsync(flagPath, next, request.Force, cancellationToken).ConfigureAwait(false);
                if (moved is null)
                {
                    return RolloutOutcome.Waiting;
                }

                output.WriteLine($"{request.Flag}: {current ?? "(not started)"} -> {moved} (no alert firing)");
                current = moved;
            }
        }
        catch (RolloutException e)
        {
            output.WriteLine($"{request.Flag}: FAILED: {e.Message}");
            return RolloutOutcome.Failed;
        }
    }

    private static bool IsPast(string? current, string target) =>
        current is not null && RolloutStages.All.ToList().IndexOf(current) > RolloutStages.All.ToList().IndexOf(target);

    private async Task<string?> CurrentStageAsync(string flagPath, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, flagPath), cancellationToken).ConfigureAwait(false);
        using var body = await ReadAsync(response, cancellationToken).ConfigureAwait(false);
        return response.IsSuccessStatusCode
            ? Stage(body)
            : throw new RolloutException($"GET /{flagPath} answered {(int)response.StatusCode}: {Detail(body)}");
    }

    /// <summary>The stage reached, or null when the API asks to wait (dwell time not over).</summary>
    private async Task<string?> MoveAsync(string flagPath, string stage, bool force, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"{flagPath}/rollout") { Content = JsonContent.Create(new { stage, force }) };
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        using var body = await ReadAsync(response, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Conflict && body?.RootElement.TryGetProperty("earliestAt", out var earliest) == true && earliest.ValueKind == JsonValueKind.String)
        {
            output.WriteLine($"waiting: {Detail(body)} Next step possible at {earliest.GetString()}.");
            return null;
        }

        return response.IsSuccessStatusCode
            ? Stage(body) ?? throw new RolloutException($"POST /{flagPath}/rollout answered without a rollout stage.")
            : throw new RolloutException($"POST /{flagPath}/rollout to '{stage}' answered {(int)response.StatusCode}: {Detail(body)}");
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            try
            {
                return await api.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new RolloutException($"{request.Method} /{request.RequestUri} failed: {e.Message}");
            }
        }
    }

    private static async Task<JsonDocument?> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return text.Length == 0 ? null : JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Stage(JsonDocument? body) =>
        body?.RootElement.TryGetProperty("rollout", out var rollout) == true && rollout.ValueKind == JsonValueKind.Object &&
        rollout.TryGetProperty("stage", out var stage) && stage.ValueKind == JsonValueKind.String
            ? stage.GetString()
            : null;

    private static string Detail(JsonDocument? body) =>
        body?.RootElement.TryGetProperty("detail", out var detail) == true && detail.ValueKind == JsonValueKind.String
            ? detail.GetString()!
            : "(no detail)";
}
