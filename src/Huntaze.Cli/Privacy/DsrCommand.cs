using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Huntaze.Cli.Privacy;

/// <summary>
/// <c>huntaze dsr export|delete|status|list</c>: data-subject requests through the admin API (roles dpo,
/// admin), with a progress bar while a request runs. Exit codes: 0 done, 1 the request failed or its
/// verification found data, 2 refused (the API's problem is printed).
/// </summary>
public static class DsrCommand
{
    public static Command Create(IAnsiConsole? console = null, HttpMessageHandler? handler = null)
    {
        var url = new Option<string>("--url") { Description = "Base address of the API (default: HUNTAZE_URL, else http://127.0.0.1:7071).", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("HUNTAZE_URL") ?? "http://127.0.0.1:7071" };
        url.Validators.Add(r =>
        {
            if (!Uri.TryCreate(r.GetValueOrDefault<string>(), UriKind.Absolute, out _))
            {
                r.AddError("--url must be an absolute http(s) address.");
            }
        });
        var token = new Option<string?>("--token") { Description = "Bearer token (default: HUNTAZE_TOKEN, else a development token for --operator)." };
        var operatorId = new Option<string>("--operator") { Description = "Operator id of the development token (role dpo).", DefaultValueFactory = _ => "operator" };
        var user = new Option<string>("--user") { Description = "The data subject's user id.", Required = true };
        var reason = new Option<string>("--reason") { Description = "Why you act for the user (recorded on the request).", Required = true };
        var noWait = new Option<bool>("--no-wait") { Description = "Return once the request is accepted." };

        var type = new Option<string>("--type") { Description = "access (default) or portability.", DefaultValueFactory = _ => "access" };
        var output = new Option<FileInfo?>("--out") { Description = "Where to save the archive once ready." };
        var export = new Command("export", "Export a user's data (Art. 15/20) and optionally download the archive.") { user, reason, type, output, noWait, url, token, operatorId };
        export.SetAction((parse, ct) => RunAsync(parse, url, token, operatorId, console, handler, async (api, ui) =>
        {
            var answer = await api.PostAsync("/api/admin/dsr/export", new { userId = parse.GetValue(user), reason = parse.GetValue(reason), type = parse.GetValue(type) }, ct).ConfigureAwait(false);
            return await FollowAsync(api, ui, answer, parse.GetValue(noWait), parse.GetValue(output), ct).ConfigureAwait(false);
        }));

        var confirm = new Option<bool>("--confirm") { Description = "Required: an erasure cannot be undone." };
        var preview = new Option<bool>("--preview") { Description = "Only show what an erasure would find, per store." };
        var delete = new Command("delete", "Erase a user's data (Art. 17) everywhere the data map says, then verify.") { user, reason, confirm, preview, noWait, url, token, operatorId };
        delete.SetAction((parse, ct) => RunAsync(parse, url, token, operatorId, console, handler, async (api, ui) =>
        {
            if (parse.GetValue(preview))
            {
                var counts = await api.GetAsync($"/api/admin/dsr/delete/preview?userId={Uri.EscapeDataString(parse.GetValue(user)!)}", ct).ConfigureAwait(false);
                return counts.Ok ? Stores(ui, counts.Body.GetProperty("stores"), "Found") : Refused(ui, counts);
            }

            var answer = await api.PostAsync("/api/admin/dsr/delete", new { userId = parse.GetValue(user), reason = parse.GetValue(reason), confirm = parse.GetValue(confirm) }, ct).ConfigureAwait(false);
            return await FollowAsync(api, ui, answer, parse.GetValue(noWait), null, ct).ConfigureAwait(false);
        }));

        var id = new Argument<string>("id") { Description = "The request id." };
        var wait = new Option<bool>("--wait") { Description = "Follow the request until it closes." };
        var status = new Command("status", "Show one request (and follow it with --wait).") { id, wait, output, url, token, operatorId };
        status.SetAction((parse, ct) => RunAsync(parse, url, token, operatorId, console, handler, async (api, ui) =>
        {
            var answer = await api.GetAsync($"/api/admin/dsr/{Uri.EscapeDataString(parse.GetValue(id)!)}", ct).ConfigureAwait(false);
            return await FollowAsync(api, ui, answer, !parse.GetValue(wait), parse.GetValue(output), ct).ConfigureAwait(false);
        }));

        var overdue = new Option<bool>("--overdue") { Description = "Only requests past their due date." };
        var list = new Command("list", "List open requests, oldest due first.") { overdue, url, token, operatorId };
        list.SetAction((parse, ct) => RunAsync(parse, url, token, operatorId, console, handler, async (api, ui) =>
        {
            var answer = await api.GetAsync("/api/admin/dsr" + (parse.GetValue(overdue) ? "?status=overdue" : ""), ct).ConfigureAwait(false);
            if (!answer.Ok)
            {
                return Refused(ui, answer);
            }

            var table = new Table().AddColumns("id", "type", "status", "user", "due", "overdue");
            foreach (var item in answer.Body.GetProperty("items").EnumerateArray())
            {
                table.AddRow(
                    Markup.Escape(item.GetProperty("id").GetString()!), Text(item, "type"), Text(item, "status"), Text(item, "userId"),
                    item.GetProperty("dueAt").GetDateTimeOffset().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), item.GetProperty("overdue").GetBoolean() ? "[red]yes[/]" : "no");
            }

            ui.Write(table);
            return 0;
        }));

        return new Command("dsr", "Data-subject requests (admin API, roles dpo or admin).") { export, delete, status, list };
    }

    private static async Task<int> RunAsync(ParseResult parse, Option<string> url, Option<string?> token, Option<string> operatorId, IAnsiConsole? console, HttpMessageHandler? handler, Func<AdminApi, IAnsiConsole, Task<int>> run)
    {
        var ui = console ?? AnsiConsole.Console;
        try
        {
            using var api = AdminApi.Create(new Uri(parse.GetValue(url)!), parse.GetValue(token) ?? Environment.GetEnvironmentVariable("HUNTAZE_TOKEN"), parse.GetValue(operatorId)!, handler);
            return await run(api, ui).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is HttpRequestException or InvalidOperationException or FormatException or ArgumentException)
        {
            ui.MarkupLineInterpolated($"[red]{exception.Message}[/]");
            return 2;
        }
    }

    /// <summary>Prints the accepted request, then polls its status with a progress bar until it closes.</summary>
    private static async Task<int> FollowAsync(AdminApi api, IAnsiConsole ui, ApiAnswer answer, bool noWait, FileInfo? output, CancellationToken cancellationToken)
    {
        if (!answer.Ok)
        {
            return Refused(ui, answer);
        }

        var view = answer.Body;
        var id = view.GetProperty("id").GetString()!;
        ui.MarkupLineInterpolated($"Request [bold]{id}[/] ({Text(view, "type")}): {Text(view, "status")}, due {view.GetProperty("dueAt").GetDateTimeOffset():yyyy-MM-dd}");
        if (noWait)
        {
            return 0;
        }

        await ui.Progress().AutoClear(false).StartAsync(async progress =>
        {
            var task = progress.AddTask("starting", maxValue: 1);
            while (IsOpen(view))
            {
                if (view.TryGetProperty("progress", out var step) && step.ValueKind == JsonValueKind.Object)
                {
                    task.Description = step.GetProperty("phase").GetString()!;
                    task.MaxValue = Math.Max(1, step.GetProperty("total").GetInt32());
                    task.Value = step.GetProperty("done").GetInt32();
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
                var next = await api.GetAsync($"/api/admin/dsr/{id}", cancellationToken).ConfigureAwait(false);
                view = next.Ok ? next.Body : view;
            }

            task.Description = Text(view, "status");
            task.Value = task.MaxValue;
        }).ConfigureAwait(false);

        return await ReportAsync(api, ui, view, output, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> ReportAsync(AdminApi api, IAnsiConsole ui, JsonElement view, FileInfo? output, CancellationToken cancellationToken)
    {
        var status = Text(view, "status");
        ui.MarkupLineInterpolated($"Status: [bold]{status}[/]");
        var ok = status == "completed";
        if (view.TryGetProperty("result", out var result))
        {
            if (result.TryGetProperty("stores", out var stores))
            {
                Stores(ui, stores, "Changed");
            }

            if (result.TryGetProperty("verification", out var verification))
            {
                var passed = verification.GetProperty("passed").GetBoolean();
                ok &= passed;
                ui.MarkupLine(passed ? "Verification: [green]no data of the subject left in any store[/]" : "Verification: [red]data found[/]");
                if (!passed)
                {
                    Stores(ui, verification.GetProperty("found"), "Found");
                }
            }

            if (result.TryGetProperty("note", out var note))
            {
                ui.MarkupLineInterpolated($"Note: {note.GetString()}");
            }
        }

        if (ok && output is not null && view.TryGetProperty("export", out var export))
        {
            var download = await api.DownloadAsync(export.GetProperty("url").GetString()!, output.FullName, cancellationToken).ConfigureAwait(false);
            if (!download.Ok)
            {
                return Refused(ui, download);
            }

            ui.MarkupLineInterpolated($"Archive saved to {output.FullName} (available until {export.GetProperty("expiresAt").GetDateTimeOffset():yyyy-MM-dd HH:mm} UTC)");
        }

        return ok ? 0 : 1;
    }

    private static int Stores(IAnsiConsole ui, JsonElement stores, string countHeader)
    {
        var table = new Table().AddColumns("store", countHeader);
        foreach (var store in stores.EnumerateArray())
        {
            table.AddRow(Markup.Escape(store.GetProperty("store").GetString()!), store.GetProperty("count").GetInt32().ToString(CultureInfo.InvariantCulture));
        }

        ui.Write(table);
        return 0;
    }

    private static int Refused(IAnsiConsole ui, ApiAnswer answer)
    {
        ui.MarkupLineInterpolated($"[red]Refused ({answer.Describe()})[/]");
        return 2;
    }

    private static bool IsOpen(JsonElement view) => Text(view, "status") is "open" or "running" or "awaiting_dpo";

    private static string Text(JsonElement view, string name) =>
        view.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? Markup.Escape(value.GetString()!) : "";
}
