using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Huntaze.Cli.Backups;

/// <summary>
/// <c>huntaze backup list|run|verify DATE</c> and <c>huntaze restore (--backup DATE | --point-in-time T) --target side|live
/// [--table T]… [--dry-run]</c>: through the admin API (so RBAC and the audit log apply), with a progress bar and the final counts.
/// The API address is <c>--url</c> (default http://127.0.0.1:7071), the admin token <c>--token</c> or <c>HUNTAZE_TOKEN</c>.
/// </summary>
public static class BackupCommands
{
    private static readonly Option<string> Url = new("--url") { Description = "The API's base address.", DefaultValueFactory = _ => "http://127.0.0.1:7071" };
    private static readonly Option<string?> Token = new("--token") { Description = "An admin bearer token (default: $HUNTAZE_TOKEN)." };

    public static Command Backup()
    {
        var list = new Command("list", "List backups with tier, size, counts and verification.") { Url, Token };
        list.SetAction((parse, ct) => RunAsync(parse, async (api, console) =>
        {
            var body = await api.GetAsync("/api/admin/backups", ct).ConfigureAwait(false);
            var table = new Table().AddColumns("date", "tier", "keep until", "rows", "bytes", "verification");
            foreach (var b in body.GetProperty("backups").EnumerateArray())
            {
                table.AddRow(Text(b, "date"), Text(b, "tier"), Text(b, "keepUntil"), Text(b, "rows"), Text(b, "bytes"), Text(b, "verification"));
            }

            console.Write(table);
            if (body.TryGetProperty("lastDrill", out var drill))
            {
                console.MarkupLine(CultureInfo.InvariantCulture, "Last drill: {0} on {1}, {2:0.0} s.", drill.GetProperty("passed").GetBoolean() ? "passed" : "[red]failed[/]", Markup.Escape(Text(drill, "at")), drill.GetProperty("durationSeconds").GetDouble());
            }

            return 0;
        }));

        var run = new Command("run", "Take today's backup now, verify it, expire old ones.") { Url, Token };
        run.SetAction((parse, ct) => RunAsync(parse, (api, console) => FollowRunAsync(api, console, api.PostAsync("/api/admin/backups/run", null, ct), ct)));

        var date = new Argument<string>("date") { Description = "The backup's date, yyyy-MM-dd." };
        var verify = new Command("verify", "Re-read a backup's files against its manifest.") { date, Url, Token };
        verify.SetAction((parse, ct) => RunAsync(parse, (api, console) => FollowRunAsync(api, console, api.PostAsync($"/api/admin/backups/{Uri.EscapeDataString(parse.GetValue(date)!)}/verify", null, ct), ct)));

        return new Command("backup", "Daily backups: list, run, verify.") { list, run, verify };
    }

    public static Command Restore()
    {
        var backup = new Option<string?>("--backup") { Description = "The backup's date, yyyy-MM-dd." };
        var pointInTime = new Option<DateTimeOffset?>("--point-in-time") { Description = "Restore to this moment (ISO 8601), within the journal's 7 days." };
        var tables = new Option<string[]>("--table") { Description = "A table to restore; repeat for several (default: all in the backup)." };
        var target = new Option<string>("--target") { Description = "side (new tables) or live (replaces the live tables' content).", Required = true };
        var dryRun = new Option<bool>("--dry-run") { Description = "Check and count only; write nothing." };
        var command = new Command("restore", "Restore a backup or a point in time, with a progress bar.") { backup, pointInTime, tables, target, dryRun, Url, Token };
        command.SetAction((parse, ct) => RunAsync(parse, async (api, console) =>
        {
            var started = await api.PostAsync("/api/admin/backups/restore", new
            {
                backup = parse.GetValue(backup),
                pointInTime = parse.GetValue(pointInTime),
                tables = parse.GetValue(tables),
                target = parse.GetValue(target),
                dryRun = parse.GetValue(dryRun),
            }, ct).ConfigureAwait(false);
            var url = started.GetProperty("statusUrl").GetString()!;
            console.MarkupLine(CultureInfo.InvariantCulture, "Restore {0} started.", Markup.Escape(started.GetProperty("id").GetString()!));
            JsonElement status = default;
            await console.Progress().StartAsync(async progress =>
            {
                var bar = progress.AddTask("rows", maxValue: 1);
                while (true)
                {
                    status = await api.GetAsync(url, ct).ConfigureAwait(false);
                    if (status.TryGetProperty("progress", out var p))
                    {
                        bar.Description = p.GetProperty("phase").GetString() ?? "rows";
                        bar.MaxValue = Math.Max(1, p.GetProperty("rowsTotal").GetInt64());
                        bar.Value = p.GetProperty("rowsDone").GetInt64();
                    }

                    if (status.GetProperty("state").GetString() is "completed" or "failed" or "terminated")
                    {
                        bar.Value = bar.MaxValue;
                        return;
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(500), ct).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
            return Report(console, status);
        }));
        return command;
    }

    private static async Task<int> FollowRunAsync(AdminApi api, IAnsiConsole console, Task<JsonElement> start, CancellationToken ct)
    {
        var url = (await start.ConfigureAwait(false)).GetProperty("statusUrl").GetString()!;
        JsonElement status = default;
        await console.Status().StartAsync("backing up", async context =>
        {
            while ((status = await api.GetAsync(url, ct).ConfigureAwait(false)).GetProperty("state").GetString() is not ("completed" or "failed" or "terminated"))
            {
                context.Status(status.TryGetProperty("phase", out var phase) ? phase.GetString() ?? "" : "pending");
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
        if (!status.TryGetProperty("result", out var result))
        {
            console.MarkupLine(CultureInfo.InvariantCulture, "[red]{0}[/]", Markup.Escape(Text(status, "error")));
            return 1;
        }

        console.MarkupLine(CultureInfo.InvariantCulture, "Backup {0}: {1} rows in {2} files, {3}.", Text(result, "date"), Text(result, "rows"), Text(result, "files"),
            result.GetProperty("verified").GetBoolean() ? "verified" : "[red]verification failed[/]");
        return result.GetProperty("verified").GetBoolean() ? 0 : 1;
    }

    private static int Report(IAnsiConsole console, JsonElement status)
    {
        if (!status.TryGetProperty("result", out var result))
        {
            console.MarkupLine(CultureInfo.InvariantCulture, "[red]Restore {0}: {1}[/]", Text(status, "state"), Markup.Escape(Text(status, "error")));
            return 1;
        }

        var table = new Table().AddColumns("table", "rows", "written", "deleted", "kept");
        foreach (var t in result.GetProperty("tables").EnumerateArray())
        {
            table.AddRow(Text(t, "table"), Text(t, "rows"), Text(t, "written"), Text(t, "deleted"), Text(t, "kept"));
        }

        console.Write(table);
        console.MarkupLine(CultureInfo.InvariantCulture, "Outcome: {0}; journal changes {1}; subjects erased again {2}.{3}",
            Text(result, "outcome"), Text(result, "journalChanges"), Text(result, "subjectsErasedAgain"),
            result.TryGetProperty("failure", out var failure) ? " " + Markup.Escape(failure.GetString() ?? "") : "");
        return Text(result, "outcome") == "completed" ? 0 : 1;
    }

    private static async Task<int> RunAsync(ParseResult parse, Func<AdminApi, IAnsiConsole, Task<int>> action)
    {
        var token = parse.GetValue(Token) ?? Environment.GetEnvironmentVariable("HUNTAZE_TOKEN");
        if (string.IsNullOrWhiteSpace(token))
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync("An admin token is required: --token or HUNTAZE_TOKEN (huntaze token --user ops1 --role admin).").ConfigureAwait(false);
            return 2;
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(parse.InvocationConfiguration.Output) });
        if (!Uri.TryCreate(parse.GetValue(Url), UriKind.Absolute, out var baseAddress))
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync("--url must be an absolute address, e.g. http://127.0.0.1:7071.").ConfigureAwait(false);
            return 2;
        }

        using var api = AdminApi.Create(baseAddress, token);
        try
        {
            return await action(api, console).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AdminApiException or HttpRequestException)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 1;
        }
    }

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : value.ToString() : "";
}
