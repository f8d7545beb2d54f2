using System.Globalization;

namespace Huntaze.IntegrationTests.Infrastructure;

/// <summary>Sizes a long run can be given through the environment (bench/*.sh); CI uses the defaults.</summary>
public static class RunSettings
{
    /// <summary>Where the robustness suites append their figures (a passing test's output is not shown): bench/*.sh print it.</summary>
    public static string FiguresFile => Path.Combine(AppContext.BaseDirectory, "robustness-figures.txt");

    /// <summary>Prints a figures line to the test's output and appends it, stamped, to <see cref="FiguresFile"/>.</summary>
    public static void Report(string line)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        File.AppendAllText(FiguresFile, $"{DateTimeOffset.UtcNow:u} {line}{Environment.NewLine}");
    }

    public static int Count(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
}
