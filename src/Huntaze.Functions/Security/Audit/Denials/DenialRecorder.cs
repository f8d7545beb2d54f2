using System.Diagnostics.Metrics;
using System.Text;
using Huntaze.Functions.Observability;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Security.Audit.Denials;

/// <summary>One refused request (401/403), as the pipeline saw it.</summary>
public sealed record Denial(DateTimeOffset At, string Client, string Action, string Function, string CorrelationId, string? Reason);

/// <summary>
/// Aggregates refusals in memory per client and UTC minute, for <see cref="DenialFlusher"/> to write in the
/// background: a refused request costs a dictionary update, never a storage call, so anonymous traffic
/// cannot contend with the admin hash chain nor grow storage per request. Memory and rows are bounded:
/// at most <see cref="AuditOptions.DenialClientsPerMinute"/> clients per minute get a row of their own,
/// the rest are counted together under <see cref="OverflowClient"/>.
/// </summary>
public sealed class DenialRecorder(IOptions<AuditOptions> options)
{
    public const string OverflowClient = "*";
    private const int MaxFunctions = 8;
    private const int MaxReasonLength = 200;

    private static readonly Counter<long> Recorded = HuntazeDiagnostics.Meter.CreateCounter<long>(
        "huntaze.audit.denials", description: "Refused requests (401/403) recorded in the denial stream, by action and whether their client had a row of its own.");

    private readonly object _gate = new();
    private readonly Dictionary<(long Minute, string Client), Bucket> _buckets = [];
    private readonly Dictionary<long, int> _clientsPerMinute = [];

    public void Record(Denial denial)
    {
        ArgumentNullException.ThrowIfNull(denial);
        var minute = denial.At.ToUnixTimeSeconds() / 60;
        var own = true;
        lock (_gate)
        {
            if (!_buckets.TryGetValue((minute, denial.Client), out var bucket))
            {
                _clientsPerMinute.TryGetValue(minute, out var clients);
                own = clients < options.Value.DenialClientsPerMinute;
                var client = own ? denial.Client : OverflowClient;
                if (!_buckets.TryGetValue((minute, client), out bucket))
                {
                    bucket = new Bucket(minute, client);
                    _buckets[(minute, client)] = bucket;
                    _clientsPerMinute[minute] = clients + (own ? 1 : 0);
                }
            }

            bucket.Add(denial);
        }

        Recorded.Add(1, new KeyValuePair<string, object?>("action", denial.Action), new KeyValuePair<string, object?>("overflow", !own));
    }

    /// <summary>Rows changed since they were last taken, each with its cumulative totals for the minute.</summary>
    public IReadOnlyList<DenialRow> TakeChanged()
    {
        lock (_gate)
        {
            var changed = new List<DenialRow>();
            foreach (var bucket in _buckets.Values.Where(b => b.Changed))
            {
                changed.Add(bucket.Snapshot());
                bucket.Changed = false;
            }

            return changed;
        }
    }

    /// <summary>The rows could not be written: mark them changed so the next flush writes them again.</summary>
    public void Restore(IEnumerable<DenialRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        lock (_gate)
        {
            foreach (var row in rows)
            {
                if (_buckets.TryGetValue((row.Minute, row.Client), out var bucket))
                {
                    bucket.Changed = true;
                }
            }
        }
    }

    /// <summary>
    /// Forgets what no longer changes: written minutes older than the previous one (a request refused at the
    /// end of a minute may be recorded just after it), and unwritten minutes older than
    /// <paramref name="backlogMinutes"/> (storage was down all that time), whose refusals are returned as dropped.
    /// </summary>
    public long Forget(long currentMinute, int backlogMinutes)
    {
        long dropped = 0;
        lock (_gate)
        {
            foreach (var (key, bucket) in _buckets.Where(b => b.Key.Minute < currentMinute - 1).ToList())
            {
                if (bucket.Changed && key.Minute >= currentMinute - backlogMinutes)
                {
                    continue;
                }

                dropped += bucket.Changed ? bucket.Total : 0;
                _buckets.Remove(key);
            }

            foreach (var minute in _clientsPerMinute.Keys.Where(m => m < currentMinute - 1 && !_buckets.Keys.Any(k => k.Minute == m)).ToList())
            {
                _clientsPerMinute.Remove(minute);
            }
        }

        return dropped;
    }

    /// <summary>Reasons come partly from the token (e.g. its <c>alg</c>): bounded, one line, no control characters.</summary>
    internal static string? Sanitize(string? reason)
    {
        if (reason is null)
        {
            return null;
        }

        var builder = new StringBuilder(Math.Min(reason.Length, MaxReasonLength));
        foreach (var c in reason.AsSpan(0, Math.Min(reason.Length, MaxReasonLength)))
        {
            builder.Append(char.IsControl(c) || char.IsSurrogate(c) ? '?' : c);
        }

        return builder.ToString();
    }

    private sealed class Bucket(long minute, string client)
    {
        private readonly Dictionary<string, long> _byAction = new(StringComparer.Ordinal);
        private readonly SortedSet<string> _functions = new(StringComparer.Ordinal);
        private DateTimeOffset _firstAt;
        private DateTimeOffset _lastAt;
        private string _firstCorrelationId = "";
        private string _lastCorrelationId = "";
        private string? _lastReason;

        public bool Changed { get; set; }

        public long Total { get; private set; }

        public void Add(Denial denial)
        {
            if (Total == 0)
            {
                _firstAt = denial.At;
                _firstCorrelationId = denial.CorrelationId;
            }

            Total++;
            _byAction[denial.Action] = _byAction.GetValueOrDefault(denial.Action) + 1;
            if (_functions.Count < MaxFunctions)
            {
                _functions.Add(denial.Function);
            }

            _lastAt = denial.At;
            _lastCorrelationId = denial.CorrelationId;
            _lastReason = Sanitize(denial.Reason);
            Changed = true;
        }

        public DenialRow Snapshot() => new(
            minute, client, Total, new Dictionary<string, long>(_byAction, StringComparer.Ordinal), [.. _functions],
            _firstAt, _lastAt, _firstCorrelationId, _lastCorrelationId, _lastReason);
    }
}

/// <summary>One client's refusals in one UTC minute, on one instance (totals so far).</summary>
public sealed record DenialRow(
    long Minute,
    string Client,
    long Total,
    IReadOnlyDictionary<string, long> ByAction,
    IReadOnlyList<string> Functions,
    DateTimeOffset FirstAt,
    DateTimeOffset LastAt,
    string FirstCorrelationId,
    string LastCorrelationId,
    string? LastReason);
