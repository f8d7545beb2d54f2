using System.Diagnostics;
using System.Text;
using Huntaze.LocalHost.Configuration;

namespace Huntaze.IntegrationTests.Infrastructure;

/// <summary>Runs one of the repository's shell scripts (as the pipeline does) and captures what it printed.</summary>
public static class ScriptProcess
{
    public sealed record Result(int ExitCode, string Output);

    public static async Task<Result> RunAsync(string relativePath, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken, string? workingDirectory = null)
    {
        var root = RepositoryPaths.FindRoot() ?? throw new InvalidOperationException("Repository root not found.");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? root };
        start.ArgumentList.Add(Path.Combine(root, relativePath));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        // A run inside GitHub Actions must not write into the test job's own summary.
        start.Environment.Remove("GITHUB_STEP_SUMMARY");
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {relativePath}.");
        var output = new StringBuilder();
        var lockObject = new object();
        void Append(object _, DataReceivedEventArgs e)
        {
            if (e.Data is not null)
            {
                lock (lockObject)
                {
                    output.AppendLine(e.Data);
                }
            }
        }

        process.OutputDataReceived += Append;
        process.ErrorDataReceived += Append;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        lock (lockObject)
        {
            return new Result(process.ExitCode, output.ToString());
        }
    }
}
