using System.Diagnostics;

namespace Huntaze.LocalHost;

/// <summary>
/// Asks a child process to stop as Ctrl+C would (SIGINT), then waits; kills it only if it does not exit in
/// time. Azurite saves its data on a graceful stop and loses the last seconds of writes on a kill.
/// </summary>
public static class ProcessSignals
{
    public static async Task<bool> StopGracefullyAsync(Process process, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(process);
        if (process.HasExited)
        {
            return true;
        }

        if (OperatingSystem.IsWindows() || !await SendInterruptAsync(process.Id).ConfigureAwait(false))
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().ConfigureAwait(false);
            return false;
        }

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().ConfigureAwait(false);
            return false;
        }
    }

    /// <summary>SIGINT through the system's <c>kill</c> (no P/Invoke, no unsafe code in this project).</summary>
    private static async Task<bool> SendInterruptAsync(int pid)
    {
        var start = new ProcessStartInfo("kill") { UseShellExecute = false, RedirectStandardError = true };
        start.ArgumentList.Add("-INT");
        start.ArgumentList.Add(pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var kill = Process.Start(start);
        if (kill is null)
        {
            return false;
        }

        await kill.WaitForExitAsync().ConfigureAwait(false);
        return kill.ExitCode == 0;
    }
}
