using System.Globalization;
using Huntaze.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Huntaze.Functions.Security.Audit;

/// <summary>The audit log's admin API. Reading the log is itself an audited admin action.</summary>
public sealed class AuditFunctions(AuditReader reader, IAuditLog audit, TimeProvider time)
{
    private const int MaxDays = 93;

    /// <summary><c>GET /api/admin/audit?actor=&amp;target=&amp;from=&amp;to=&amp;pageSize=&amp;continuation=</c>, oldest first.</summary>
    [Function("AuditQuery")]
    [RequireRoles(Roles.Admin, Roles.Dpo)]
    [RateLimit(RateLimitPolicies.Reads)]
    public async Task<IActionResult> Query(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "admin/audit")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new Dictionary<string, string[]>();
        var (from, to) = Range(request.Query, errors);
        var pageSize = 50;
        if (request.Query.TryGetValue("pageSize", out var size) && (!int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize is < 1 or > 200))
        {
            errors["pageSize"] = ["An integer from 1 to 200."];
        }

        ThrowIfInvalid(errors);
        var page = await reader.QueryAsync(
            new AuditQuery(NullIfEmpty(request.Query["actor"]), NullIfEmpty(request.Query["target"]), from, to, pageSize, NullIfEmpty(request.Query["continuation"])),
            cancellationToken).ConfigureAwait(false);
        await Record(request, "audit.read", "ok", cancellationToken).ConfigureAwait(false);
        return ApiResult.Ok(new { items = page.Items, continuationToken = page.ContinuationToken });
    }

    /// <summary><c>GET /api/admin/audit/verify?from=&amp;to=</c>: checks each day's chain and names the first broken link.</summary>
    [Function("AuditVerify")]
    [RequireRoles(Roles.Admin, Roles.Dpo)]
    [RateLimit(RateLimitPolicies.Reads)]
    public async Task<IActionResult> Verify(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "admin/audit/verify")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new Dictionary<string, string[]>();
        var (from, to) = Range(request.Query, errors);
        ThrowIfInvalid(errors);
        var result = await reader.VerifyAsync(DateOnly.FromDateTime(from.UtcDateTime), DateOnly.FromDateTime(to.UtcDateTime), cancellationToken).ConfigureAwait(false);
        await Record(request, "audit.verify", result.Valid ? "valid" : "broken", cancellationToken).ConfigureAwait(false);
        return ApiResult.Ok(result);
    }

    private (DateTimeOffset From, DateTimeOffset To) Range(IQueryCollection query, Dictionary<string, string[]> errors)
    {
        var to = Parse(query, "to", errors) ?? time.GetUtcNow();
        var from = Parse(query, "from", errors) ?? to.AddDays(-7);
        if (from > to)
        {
            errors["from"] = ["Must not be after 'to'."];
        }
        else if (to - from > TimeSpan.FromDays(MaxDays))
        {
            errors["from"] = [$"The range may span at most {MaxDays} days."];
        }

        return (from, to);
    }

    private static DateTimeOffset? Parse(IQueryCollection query, string name, Dictionary<string, string[]> errors)
    {
        var value = query[name].ToString();
        if (value.Length == 0)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            return parsed;
        }

        errors[name] = ["An ISO 8601 date or date-time."];
        return null;
    }

    private static void ThrowIfInvalid(Dictionary<string, string[]> errors)
    {
        if (errors.Count > 0)
        {
            throw new ProblemException(ProblemTypes.Validation, "Some query parameters are invalid.", new Dictionary<string, object?> { ["errors"] = errors });
        }
    }

    private static string? NullIfEmpty(Microsoft.Extensions.Primitives.StringValues value) => value.Count == 0 || value[0] is not { Length: > 0 } s ? null : s;

    private Task Record(HttpRequest request, string action, string outcome, CancellationToken cancellationToken) =>
        audit.AppendAsync(new AuditRecord(request.RequireCaller().UserId, action, "audit-log", outcome, Correlation.Get(request.HttpContext),
            new Dictionary<string, string?> { ["query"] = request.QueryString.Value }), cancellationToken);
}
