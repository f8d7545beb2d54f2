using Huntaze.Functions.Platform.Configuration;
using Microsoft.Extensions.Options;

namespace Huntaze.Functions.Backups;

/// <summary>Settings under <c>Backups__*</c>. The two schedules are read by the timers themselves (<c>%Backups__Schedule%</c>).</summary>
public sealed class BackupOptions
{
    public const string Section = "Backups";

    /// <summary>Cron (6 fields, UTC) of the daily backup; default 02:00.</summary>
    public string Schedule { get; set; } = "0 0 2 * * *";

    /// <summary>Cron of the weekly restore drill; default Sunday 04:00, after that day's backup.</summary>
    public string DrillSchedule { get; set; } = "0 0 4 * * 0";

    /// <summary>Entities per page read from a table (Table Storage returns at most 1,000).</summary>
    public int PageSize { get; set; } = 1000;

    /// <summary>Entity-group transactions a table restore keeps in flight at once.</summary>
    public int RestoreParallelism { get; set; } = 8;

    public int DailyDays { get; set; } = 30;

    public int WeeklyWeeks { get; set; } = 12;

    public int MonthlyMonths { get; set; } = 12;

    /// <summary>How far back a point-in-time restore can go: the journal is kept this long.</summary>
    public int JournalDays { get; set; } = 7;
}

internal sealed class BackupOptionsValidator : IValidateOptions<BackupOptions>
{
    public ValidateOptionsResult Validate(string? name, BackupOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new SettingErrors(BackupOptions.Section)
            .Require(IsCron(options.Schedule), nameof(options.Schedule), options.Schedule, "must be a six-field cron expression (seconds first, UTC).")
            .Require(IsCron(options.DrillSchedule), nameof(options.DrillSchedule), options.DrillSchedule, "must be a six-field cron expression (seconds first, UTC).")
            .Require(options.PageSize is >= 1 and <= 1000, nameof(options.PageSize), options.PageSize, "must be between 1 and 1000.")
            .Require(options.RestoreParallelism is >= 1 and <= 64, nameof(options.RestoreParallelism), options.RestoreParallelism, "must be between 1 and 64.")
            .Require(options.DailyDays is >= 1 and <= 366, nameof(options.DailyDays), options.DailyDays, "must be between 1 and 366.")
            .Require(options.WeeklyWeeks is >= 0 and <= 104, nameof(options.WeeklyWeeks), options.WeeklyWeeks, "must be between 0 and 104.")
            .Require(options.MonthlyMonths is >= 0 and <= 12, nameof(options.MonthlyMonths), options.MonthlyMonths, "must be between 0 and 12 (the erasure ledger is kept 13 months).")
            .Require(options.JournalDays is >= 1 and <= 30, nameof(options.JournalDays), options.JournalDays, "must be between 1 and 30.")
            .ToResult();
    }

    private static bool IsCron(string? value) =>
        value is not null && NCrontab.CrontabSchedule.TryParse(value, new NCrontab.CrontabSchedule.ParseOptions { IncludingSeconds = true }) is not null;
}
