using Huntaze.Functions;
using Huntaze.Functions.Platform.Hosting;
using Huntaze.Functions.Platform.Http;
using Huntaze.LocalHost.Configuration;
using Huntaze.LocalHost.Durable;
using Huntaze.LocalHost.Functions;
using Huntaze.LocalHost.Storage;
using Huntaze.LocalHost.Timers;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;

namespace Huntaze.LocalHost;

/// <summary>
/// Runs the app's real function classes without the Functions host: Kestrel for HTTP triggers, the
/// Durable Task sidecar over the Azure Storage provider for orchestrations and activities, a scheduler
/// for timers, all over
/// the same <see cref="HuntazeComposition.AddHuntaze"/> composition that the Functions host uses.
/// </summary>
public static class LocalHostApp
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    public const string PrometheusPath = "/metrics";

    /// <summary>How long a graceful stop may take before the host exits anyway.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(20);

    public static WebApplication Build(string[] args, LocalHostOptions? options = null)
    {
        options ??= new LocalHostOptions();
        var root = RepositoryPaths.FindRoot();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environment.GetEnvironmentVariable("AZURE_FUNCTIONS_ENVIRONMENT") ?? "Development",
        });

        // Like Core Tools: local.settings.json Values, then the environment, then the command line.
        var settings = options.UseLocalSettingsFile ? LocalSettings.Load(root) : new Dictionary<string, string?>();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine(args);
        builder.Configuration.AddInMemoryCollection(options.Settings.ToDictionary(kv => kv.Key.Replace("__", ":", StringComparison.Ordinal), kv => kv.Value));
        if (builder.Configuration["urls"] is null)
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.DurableTask", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);
        builder.Logging.AddFilter("DurableTask", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        var catalog = new FunctionCatalog([typeof(HuntazeComposition).Assembly, .. options.ExtraFunctionAssemblies]);
        var holder = new ServiceProviderHolder();

        // Ctrl+C gives in-flight work (a Durable activity, the provider's lease release) this long, then the process
        // exits: 20 s, not the generic host's 30 s default, so a supervisor (or a test) waiting 30 s for the exit always
        // sees it. What is cut short is safe: orchestrations resume and leases expire on their own.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownTimeout);
        builder.Services.AddHostedService<AzuriteHostedService>();
        builder.Services.AddHuntaze(builder.Configuration);
        builder.Services.Replace(ServiceDescriptor.Singleton(catalog));
        builder.Services.AddMvcCore();
        builder.Services.AddRouting();
        builder.Services.AddLocalDurable(builder.Configuration, catalog, holder);
        builder.Services.AddSingleton<TimerDispatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TimerDispatcher>());
        // A Prometheus scrape endpoint (GET /metrics) so a local Prometheus and Grafana work with no cloud (docs/slo.md).
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddPrometheusExporter());
        options.ConfigureServices?.Invoke(builder.Services);

        var app = builder.Build();
        holder.Services = app.Services;
        app.UseStatusCodePages(ProblemForBareStatusAsync);
        // CORS preflights never reach a function (in Azure the platform's CORS answers them).
        app.Use((http, next) => Huntaze.Functions.Security.Cors.Cors.TryHandlePreflight(http) ? Task.CompletedTask : next(http));
        var routePrefix = HostJson.RoutePrefix(HostJson.Load(AppContext.BaseDirectory));
        app.MapHttpFunctions(catalog, routePrefix);
        app.MapAdminEndpoints();
        app.MapPrometheusScrapingEndpoint(PrometheusPath);
        if (options.PrintFunctionTable)
        {
            app.Lifetime.ApplicationStarted.Register(() => FunctionTable.Print(catalog, app.Urls, routePrefix));
        }

        return app;
    }

    /// <summary>Routing's bare 404/405 become problem details with the usual headers.</summary>
    private static Task ProblemForBareStatusAsync(Microsoft.AspNetCore.Diagnostics.StatusCodeContext context)
    {
        var http = context.HttpContext;
        ResponseHeaders.Register(http);
        var problem = http.Response.StatusCode switch
        {
            StatusCodes.Status405MethodNotAllowed => Problems.MethodNotAllowed($"{http.Request.Method} {http.Request.Path}: {ProblemTypes.MethodNotAllowed.Title}"),
            StatusCodes.Status404NotFound => Problems.NotFound($"{http.Request.Method} {http.Request.Path}: {ProblemTypes.NotFound.Title}"),
            _ => null,
        };
        return problem is null ? Task.CompletedTask : ProblemWriter.WriteAsync(http, problem);
    }
}
