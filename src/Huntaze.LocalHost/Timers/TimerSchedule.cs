using System.Globalization;
using System.Text.RegularExpressions;
using NCrontab;

namespace Huntaze.LocalHost.Timers;

/// <summary>
/// A timer trigger's schedule as the Functions host reads it: <c>%Setting%</c> placeholders resolved
/// from configuration, then a six-field NCrontab expression (seconds first) or a TimeSpan interval.
/// </summary>
internal sealed partial class TimerSchedule
{
    private readonly CrontabSchedule? _cron;
    private readonly TimeSpan? _interval;

    private TimerSchedule(string expression, CrontabSchedule? cron, TimeSpan? interval)
    {
        Expression = expression;
        _cron = cron;
        _interval = interval;
    }

    public string Expression { get; }

    public static TimerSchedule Parse(string declared, IConfiguration configuration)
    {
        var expression = Placeholder().Replace(declared, match =>
            configuration[match.Groups[1].Value.Replace("__", ":", StringComparison.Ordinal)]
            ?? throw new InvalidOperationException($"Timer schedule setting '{match.Groups[1].Value}' is not configured."));

        var cron = CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
        if (cron is not null)
        {
            return new TimerSchedule(expression, cron, null);
        }

        return TimeSpan.TryParse(expression, CultureInfo.InvariantCulture, out var interval) && interval > TimeSpan.Zero
            ? new TimerSchedule(expression, null, interval)
            : throw new InvalidOperationException($"Timer schedule '{expression}' is neither a six-field cron expression nor a positive TimeSpan.");
    }

    public DateTime GetNextOccurrence(DateTime utcNow) =>
        _cron is not null ? _cron.GetNextOccurrence(utcNow) : utcNow + _interval!.Value;

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex Placeholder();
}
