using System.CommandLine;
using Huntaze.Functions.Observability.Slo;

namespace Huntaze.Cli.Observability;

/// <summary>
/// <c>huntaze dashboards [--slo observability/slo.json] [--out observability/dashboards] [--check]</c>: writes the
/// Grafana dashboards and the Azure workbook generated from the SLO file, or with <c>--check</c> exits 1 when the
/// committed ones differ (a unit test does the same).
/// </summary>
public static class DashboardsCommand
{
    public static Command Create()
    {
        var slo = new Option<FileInfo>("--slo") { Description = "The SLO file.", DefaultValueFactory = _ => new FileInfo(Path.Combine("observability", "slo.json")) };
        var output = new Option<DirectoryInfo>("--out") { Description = "Where the dashboards go.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("observability", "dashboards")) };
        var check = new Option<bool>("--check") { Description = "Compare instead of writing; exit 1 on a difference." };
        var command = new Command("dashboards", "Generate the SLO dashboards (Grafana, Azure workbook) from the SLO file.") { slo, output, check };
        command.SetAction(parse =>
        {
            var file = parse.GetValue(slo)!;
            var directory = parse.GetValue(output)!;
            using var stream = file.OpenRead();
            var generated = DashboardGenerator.Generate(SloDocument.Parse(stream));
            var stale = new List<string>();
            foreach (var (name, content) in generated)
            {
                var path = Path.Combine(directory.FullName, name);
                if (parse.GetValue(check))
                {
                    if (!File.Exists(path) || File.ReadAllText(path) != content)
                    {
                        stale.Add(path);
                    }
                }
                else
                {
                    Directory.CreateDirectory(directory.FullName);
                    File.WriteAllText(path, content);
                    parse.InvocationConfiguration.Output.WriteLine($"wrote {path}");
                }
            }

            foreach (var path in stale)
            {
                parse.InvocationConfiguration.Error.WriteLine($"{path} differs from what {file.FullName} generates: run `huntaze dashboards`.");
            }

            return stale.Count == 0 ? 0 : 1;
        });
        return command;
    }
}
