using System.CommandLine;
using System.Net.Http.Headers;

namespace Huntaze.Cli.Rollout;

/// <summary>
/// <c>huntaze rollout advance --api https://… --alerts-url https://management.azure.com/…/alerts?… [--to 100]</c>:
/// advances a flag (default Onboarding) stage by stage through the admin API, checking before every step that no
/// (SLO) alert fires. Tokens come from environment variables, never from the command line (which other users of
/// the machine can read): the admin API's from <c>HUNTAZE_API_TOKEN</c>, the alerts API's from
/// <c>HUNTAZE_ALERTS_TOKEN</c> (both names can be changed). Exit codes: 0 done or waiting for the dwell time,
/// 3 an alert fired, 4 the alerts could not be read, 1 the API failed, 2 usage.
/// </summary>
public static class RolloutCommand
{
    public static int ExitCode(RolloutOutcome outcome) => outcome switch
    {
        RolloutOutcome.Completed or RolloutOutcome.Waiting => 0,
        RolloutOutcome.StoppedByAlert => 3,
        RolloutOutcome.AlertsUnknown => 4,
        _ => 1,
    };

    public static Command Create()
    {
        var api = new Option<Uri>("--api") { Description = "Base address of the app (https://<app>.azurewebsites.net).", Required = true, CustomParser = AbsoluteUri };
        var flag = new Option<string>("--flag") { Description = "The flag to advance.", DefaultValueFactory = _ => "Onboarding" };
        var to = new Option<string>("--to") { Description = "The last stage to reach: internal, 5, 25, 50 or 100.", DefaultValueFactory = _ => "100" };
        var alertsUrl = new Option<Uri>("--alerts-url") { Description = "Alerts list to check before each step (Azure Monitor Alerts Management API, filtered to the environment).", Required = true, CustomParser = AbsoluteUri };
        var alertNames = new Option<string[]>("--alert") { Description = "Only these alert rules count (repeat); default: every alert the URL lists.", DefaultValueFactory = _ => [] };
        var force = new Option<bool>("--force") { Description = "Let the API skip the minimum dwell time of each stage (the alert check still applies)." };
        var maxSteps = new Option<int>("--max-steps") { Description = "At most this many stages in one run.", DefaultValueFactory = _ => 5 };
        var apiTokenVariable = new Option<string>("--api-token-env") { Description = "Environment variable holding the admin API's bearer token.", DefaultValueFactory = _ => "HUNTAZE_API_TOKEN" };
        var alertsTokenVariable = new Option<string>("--alerts-token-env") { Description = "Environment variable holding the alerts API's bearer token (unset = none).", DefaultValueFactory = _ => "HUNTAZE_ALERTS_TOKEN" };
        to.Validators.Add(r =>
        {
            if (!RolloutStages.IsValid(r.GetValueOrDefault<string>()))
            {
                r.AddError($"--to must be one of {string.Join(", ", RolloutStages.All)}.");
            }
        });
        maxSteps.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 5)
            {
                r.AddError("--max-steps must be between 1 and 5.");
            }
        });

        var advance = new Command("advance", "Advance a flag's rollout while no alert fires.") { api, flag, to, alertsUrl, alertNames, force, maxSteps, apiTokenVariable, alertsTokenVariable };
        advance.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var apiToken = Environment.GetEnvironmentVariable(parse.GetValue(apiTokenVariable)!);
            if (string.IsNullOrWhiteSpace(apiToken))
            {
                await error.WriteLineAsync($"Set {parse.GetValue(apiTokenVariable)} to an admin bearer token for the API.").ConfigureAwait(false);
                return 2;
            }

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            using var apiClient = new HttpClient { BaseAddress = WithTrailingSlash(parse.GetValue(api)!), Timeout = TimeSpan.FromSeconds(60) };
            apiClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiToken);
            var gate = new AlertGate(http, parse.GetValue(alertsUrl)!, Environment.GetEnvironmentVariable(parse.GetValue(alertsTokenVariable)!), parse.GetValue(alertNames) ?? []);
            var driver = new RolloutDriver(apiClient, gate, parse.InvocationConfiguration.Output);
            var outcome = await driver.AdvanceAsync(new RolloutPlanRequest(parse.GetValue(flag)!, parse.GetValue(to)!, parse.GetValue(force), parse.GetValue(maxSteps)), cancellationToken).ConfigureAwait(false);
            return ExitCode(outcome);
        });

        return new Command("rollout", "Progressive rollout of a flag through the admin API.") { advance };
    }

    private static Uri? AbsoluteUri(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http")
        {
            return uri;
        }

        result.AddError($"'{text}' is not an absolute http(s) URL.");
        return null;
    }

    private static Uri WithTrailingSlash(Uri uri) => uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
}
