using System.Globalization;

namespace Huntaze.Bench.Onboarding;

/// <summary>
/// CPU time the whole machine has spent busy since boot, from the first line of <c>/proc/stat</c> (user, nice, system,
/// irq, softirq and steal; not idle or iowait): the difference over a measurement is what every process on the
/// machine spent in it. NaN where there is no <c>/proc/stat</c>.
/// </summary>
internal static class MachineCpu
{
    /// <summary>Clock ticks per second of <c>/proc/stat</c> (USER_HZ, 100 on Linux).</summary>
    private const double TicksPerSecond = 100;

    /// <summary>Busy CPU seconds since boot, all cores together.</summary>
    public static double BusySeconds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return double.NaN;
        }

        using var reader = new StreamReader("/proc/stat");
        var fields = reader.ReadLine()!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long Field(int i) => fields.Length > i ? long.Parse(fields[i], CultureInfo.InvariantCulture) : 0;

        // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest time is already in user).
        var busy = Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8);
        return busy / TicksPerSecond;
    }
}
