using System.Globalization;
using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Platform.OpenApi;
using Huntaze.Functions.Security.Audit.Denials;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Security.Audit;

/// <summary>
/// The audit log's admin API. Reading the log is itself an audited admin action: the entry is appended
/// before the answer is sent, and when it cannot be, the answer is 503 and nothing is disclosed.
/// </summary>
public sealed class AuditFunctions(AuditReader reader, DenialStore denials, IAuditLog audit, IOptions<AuditOptions> options, TimeProvider time)
{
    private const int MaxDays = 93;
    private const int MaxFilterLength = 128;
    private const int MaxTokenLength = 512;
    private const string DateOnlyFormat = "yyyy-MM-dd";
    private static readonly DateTimeOffset Earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] IsoFormats = [DateOnlyFormat, "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];

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
        var pageSize = PageSize(request.Query, errors);
        CheckLengths(request.Query, errors, "actor", "target");
        ThrowIfInvalid(errors);
        var page = await Read(() => reader.QueryAsync(
            new AuditQuery(NullIfEmpty(request.Query["actor"]), NullIfEmpty(request.Query["target"]), from, to, pageSize, NullIfEmpty(request.Query["continuation"])),
            cancellationToken), cancellationToken).ConfigureAwait(false);
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
        var result = await Read(() => reader.VerifyAsync(DateOnly.FromDateTime(from.UtcDateTime), DateOnly.FromDateTime(to.UtcDateTime), cancellationToken), cancellationToken).ConfigureAwait(false);
        await Record(request, "audit.verify", result.Valid ? "valid" : "broken", cancellationToken).ConfigureAwait(false);
        return ApiResult.Ok(result);
    }

    /// <summary>
    /// <c>GET /api/admin/audit/denials?client=&amp;from=&amp;to=&amp;pageSize=&amp;continuation=</c>: the denial stream,
    /// one row per client, UTC minute and instance (ADR 0007). <c>client</c> is <c>ip:{address}</c>, <c>user:{id}</c> or <c>*</c>.
    /// </summary>
    [Function("AuditDenials")]
    [RequireRoles(Roles.Admin, Roles.Dpo)]
    [RateLimit(RateLimitPolicies.Reads)]
    [ApiQuery("client", typeof(string), "Only this client: ip:{address}, user:{id} or * (at most 256 characters).")]
    [ApiQuery("from", typeof(DateTimeOffset), "Start of the range (ISO 8601 date or date-time; default 7 days ago).")]
    [ApiQuery("to", typeof(DateTimeOffset), "End of the range (ISO 8601; default now).")]
    [ApiQuery("pageSize", typeof(int), "1 to 200 (default 50).")]
    [ApiQuery("continuation", typeof(string), "The continuationToken of the previous page.")]
    [ApiResponse(200, typeof(DenialPage))]
    public async Task<IActionResult> Denials(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "admin/audit/denials")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new Dictionary<string, string[]>();
        var (from, to) = Range(request.Query, errors);
        var pageSize = PageSize(request.Query, errors);
        CheckLengths(request.Query, errors, "client");
        ThrowIfInvalid(errors);
        var page = await Read(() => denials.QueryAsync(
            new DenialQuery(NullIfEmpty(request.Query["client"]), from, to, pageSize, NullIfEmpty(request.Query["continuation"])),
            cancellationToken), cancellationToken).ConfigureAwait(false);
        await Record(request, "audit.denials.read", "ok", cancellationToken).ConfigureAwait(false);
        return ApiResult.Ok(page);
    }

    private (DateTimeOffset From, DateTimeOffset To) Range(IQueryCollection query, Dictionary<string, string[]> errors)
    {
        var now = time.GetUtcNow();
        var to = Parse(query, "to", endOfDay: true, now, errors) ?? now;
        var from = Parse(query, "from", endOfDay: false, now, errors) ?? to.AddDays(-7);
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

    /// <summary>
    /// ISO 8601 only (no culture-dependent forms), between 2000 and tomorrow, so no date arithmetic can overflow.
    /// A date-only <c>to</c> means the end of that day (the whole day is included).
    /// </summary>
    private static DateTimeOffset? Parse(IQueryCollection query, string name, bool endOfDay, DateTimeOffset now, Dictionary<string, string[]> errors)
    {
        var value = query[name].ToString();
        if (value.Length == 0)
        {
            return null;
        }

        if (DateTimeOffset.TryParseExact(value, IsoFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            && parsed >= Earliest && parsed <= now.AddDays(1))
        {
            return endOfDay && value.Length == DateOnlyFormat.Length ? parsed.AddDays(1).AddTicks(-1) : parsed;
        }

        errors[name] = ["An ISO 8601 date or date-time between 2000-01-01 and tomorrow."];
        return null;
    }

    private static int PageSize(IQueryCollection query, Dictionary<string, string[]> errors)
    {
        var pageSize = 50;
        if (query.TryGetValue("pageSize", out var size) && (!int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize is < 1 or > 200))
        {
            errors["pageSize"] = ["An integer from 1 to 200."];
        }

        return pageSize;
    }

    private static void CheckLengths(IQueryCollection query, Dictionary<string, string[]> errors, params string[] filters)
    {
        foreach (var (name, max) in filters.Select(f => (f, MaxFilterLength)).Append(("continuation", MaxTokenLength)))
        {
            if (query[name].ToString().Length > max)
            {
                errors[name] = [$"At most {max} characters."];
            }
        }
    }

    private static void ThrowIfInvalid(Dictionary<string, string[]> errors)
    {
        if (errors.Count > 0)
        {
            throw Problems.Validation(errors, "Some query parameters are invalid.");
        }
    }

    private static string? NullIfEmpty(Microsoft.Extensions.Primitives.StringValues value) => value.Count == 0 || value[0] is not { Length: > 0 } s ? null : s;

    /// <summary>A read that storage cannot serve is a 503 with Retry-After, like a write.</summary>
    private async Task<T> Read<T>(Func<Task<T>> read, CancellationToken cancellationToken)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (Exception exception) when (AuditUnavailable.IsStorageFailure(exception, cancellationToken))
        {
            throw AuditUnavailable.Problem(options.Value.RetryAfterSeconds);
        }
    }

    /// <summary>Appended before the answer is written: when it fails, <see cref="IAuditLog"/> answers 503 and nothing is disclosed.</summary>
    private Task Record(HttpRequest request, string action, string outcome, CancellationToken cancellationToken) =>
        audit.AppendAsync(new AuditRecord(request.RequireCaller().UserId, action, "audit-log", outcome, Correlation.Get(request.HttpContext),
            new Dictionary<string, string?> { ["query"] = request.QueryString.Value },
            [.. new[] { request.Query["actor"].ToString(), request.Query["target"].ToString().Replace("user:", "", StringComparison.Ordinal) }.Where(s => s.Length > 0)]), cancellationToken);
}
