using Huntaze.Functions.Platform.Http;
using Huntaze.LocalHost.Timers;

namespace Huntaze.LocalHost;

/// <summary>
/// The slice of the Functions host's admin API the local host mirrors: <c>POST /admin/functions/{name}</c>
/// runs a timer function now. The real host guards it with the master key; the local host listens on
/// loopback only.
/// </summary>
internal static class AdminEndpoints
{
    public static void MapAdminEndpoints(this WebApplication app) =>
        app.MapPost("admin/functions/{name}", async (HttpContext http, string name, TimerDispatcher timers) =>
        {
            ResponseHeaders.Register(http);
            if (!await timers.TriggerAsync(name, http.RequestAborted).ConfigureAwait(false))
            {
                await ProblemWriter.WriteAsync(http, Problems.NotFound($"No timer function named '{name}'.")).ConfigureAwait(false);
                return;
            }

            http.Response.StatusCode = StatusCodes.Status202Accepted;
        });
}
