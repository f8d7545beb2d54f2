using System.Globalization;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Platform.OpenApi;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Huntaze.Functions.Security.Audit;

/// <summary>The audit log's admin API. Reading the log is itself an audited admin action.</summary>
public sealed class AuditFunctions(AuditReader reader, IAuditLog audit, TimeProvider time)
{
    private const int MaxDays = 93;
    private const int MaxFilterLength = 128;
    private const int MaxTokenLength = 512;
    private static readonly DateTimeOffset Earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] IsoFormats = ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];

    /// <summary><c>GET /api/admin/audit?actor=&amp;target=&amp;from=&amp;to=&amp;pageSize=&amp;continuation=</c>, oldest first.</summary>
    [Function("AuditQuery")]
    [RequireRoles(Roles.Admin, Roles.Dpo)]
    [RateLimit(RateLimitPolicies.Reads)]
    [ApiQuery("actor", typeof(string), "Only entries by this actor (at most 256 characters).")]
    [ApiQuery("target", typeof(string), "Only entries about this target (at most 256 characters).")]
    [ApiQuery("from", typeof(DateTimeOffset), "Start of the range (ISO 8601 date or date-time; default 7 days ago).")]
    [ApiQuery("to", typeof(DateTimeOffset), "End of the range (ISO 8601; default now).")]
    [ApiQuery("pageSize", typeof(int), "1 to 200 (default 50).")]
    [ApiQuery("continuation", typeof(string), "The continuationToken of the previous page.")]
    [ApiResponse(200, typeof(AuditPage))]
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

        foreach (var (name, max) in new[] { ("actor", MaxFilterLength), ("target", MaxFilterLength), ("continuation", MaxTokenLength) })
        {
            if (request.Query[name].ToString().Length > max)
            {
                errors[name] = [$"At most {max} characters."];
            }
        }

        ThrowIfInvalid(errors);
        var page = await reader.QueryAsync(
            new AuditQuery(NullIfEmpty(request.Query["actor"]), NullIfEmpty(request.Query["target"]), from, to, pageSize, NullIfEmpty(request.Query["continuation"])),
            cancellationToken).ConfigureAwait(false);
        await Record(request, "audit.read", "ok", cancellationToken).ConfigureAwait(false);
        return ApiResult.Ok(page);
    }

    /// <summary><c>GET /api/admin/audit/verify?from=&amp;to=</c>: checks each day's chain and names the first broken link.</summary>
    [Function("AuditVerify")]
    [RequireRoles(Roles.Admin, Roles.Dpo)]
    [RateLimit(RateLimitPolicies.Reads)]
    [ApiQuery("from", typeof(DateTimeOffset), "First day checked (ISO 8601; default 7 days ago).")]
    [ApiQuery("to", typeof(DateTimeOffset), "Last day checked (ISO 8601; default today).")]
    [ApiResponse(200, typeof(AuditVerification))]
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
        var now = time.GetUtcNow();
        var to = Parse(query, "to", now, errors) ?? now;
        var from = Parse(query, "from", now, errors) ?? to.AddDays(-7);
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

    /// <summary>ISO 8601 only (no culture-dependent forms), between 2000 and tomorrow, so no date arithmetic can overflow.</summary>
    private static DateTimeOffset? Parse(IQueryCollection query, string name, DateTimeOffset now, Dictionary<string, string[]> errors)
    {
        var value = query[name].ToString();
        if (value.Length == 0)
        {
            return null;
        }

        if (DateTimeOffset.TryParseExact(value, IsoFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            && parsed >= Earliest && parsed <= now.AddDays(1))
        {
            return parsed;
        }

        errors[name] = ["An ISO 8601 date or date-time between 2000-01-01 and tomorrow."];
        return null;
    }

    private static void ThrowIfInvalid(Dictionary<string, string[]> errors)
    {
        if (errors.Count > 0)
        {
            throw Problems.Validation(errors, "Some query parameters are invalid.");
        }
    }

    private static string? NullIfEmpty(Microsoft.Extensions.Primitives.StringValues value) => value.Count == 0 || value[0] is not { Length: > 0 } s ? null : s;

    private Task Record(HttpRequest request, string action, string outcome, CancellationToken cancellationToken) =>
        audit.AppendAsync(new AuditRecord(request.RequireCaller().UserId, action, "audit-log", outcome, Correlation.Get(request.HttpContext),
            new Dictionary<string, string?> { ["query"] = request.QueryString.Value }), cancellationToken);
}
