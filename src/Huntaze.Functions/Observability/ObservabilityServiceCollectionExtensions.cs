using Azure.Monitor.OpenTelemetry.Exporter;
using Huntaze.Functions.Observability.Alerting;
using Huntaze.Functions.Platform.Configuration;
using Huntaze.Functions.Platform.Storage;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Huntaze.Functions.Observability;

public static class ObservabilityServiceCollectionExtensions
{
    public const string AppInsightsConnectionString = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string OtlpEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Activity sources traced besides the app's own: the Durable Task SDK's client and worker spans
    /// (create_orchestration, orchestration:{name}, activity:{name}) are emitted by the gRPC client and worker
    /// whatever backend sits behind them, so orchestrations are traced the same on every provider.</summary>
    public static readonly IReadOnlyList<string> TracedSources = [HuntazeDiagnostics.Name, "Microsoft.DurableTask"];

    /// <summary>
    /// OpenTelemetry traces, metrics and logs for the app's meter and activity source, ASP.NET Core and outgoing
    /// HTTP, and the Functions worker (resource detector, invocation spans). Exporters follow configuration:
    /// Azure Monitor when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set (authenticated with the managed
    /// identity: the Bicep turns local auth off), OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, none
    /// otherwise; the local host adds its Prometheus scrape endpoint. ADR 0012.
    /// </summary>
    public static IServiceCollection AddObservability(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .ConfigureResource(resource => resource.AddService(
                serviceName: configuration["OTEL_SERVICE_NAME"] ?? Slo.SloDocument.Current.Service,
                serviceVersion: typeof(HuntazeDiagnostics).Assembly.GetName().Version?.ToString()))
            .WithTracing(tracing => tracing
                // Every incoming request is traced, whatever the caller's traceparent says about sampling (the app is the
                // entry point and its volume is small); background calls without a parent are not (BackgroundCallSampler).
                .SetSampler(new ParentBasedSampler(
                    new BackgroundCallSampler(),
                    remoteParentSampled: new AlwaysOnSampler(),
                    remoteParentNotSampled: new AlwaysOnSampler(),
                    localParentSampled: new AlwaysOnSampler(),
                    localParentNotSampled: new AlwaysOffSampler()))
                .AddSource([.. TracedSources])
                .AddAspNetCoreInstrumentation(options => options.RecordException = true)
                .AddHttpClientInstrumentation()
                // Before any exporter: processors run in the order they are added.
                .AddProcessor(new PersonalDataRedactor()))
            .WithMetrics(metrics => metrics
                .AddMeter(HuntazeDiagnostics.Name)
                .AddView(RequestTelemetry.DurationInstrument, new ExplicitBucketHistogramConfiguration { Boundaries = RequestTelemetry.HistogramBoundaries() }))
            .WithLogging();

        if (!string.IsNullOrWhiteSpace(configuration[AppInsightsConnectionString]))
        {
            builder.UseAzureMonitorExporter(options =>
            {
                options.ConnectionString = configuration[AppInsightsConnectionString];
                // Entra ingestion with the app's user-assigned identity (AZURE_CLIENT_ID); local auth is off.
                options.Credential = StorageServiceCollectionExtensions.CreateCredential(configuration);
            });
        }

        if (!string.IsNullOrWhiteSpace(configuration[OtlpEndpoint]))
        {
            // Reads OTEL_EXPORTER_OTLP_ENDPOINT / _PROTOCOL / _HEADERS from configuration itself.
            builder.UseOtlpExporter();
        }

        return services.AddAlertRelay(configuration);
    }

    /// <summary>
    /// The relay's outgoing HTTP (ADR 0006, item 4): one typed client per sink from IHttpClientFactory, each with the
    /// standard resilience handler as its only retry layer (jittered exponential retry honouring Retry-After,
    /// per-attempt and total timeouts, circuit breaker), tuned from <see cref="AlertRelayOptions"/>.
    /// </summary>
    private static IServiceCollection AddAlertRelay(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<AlertRelayOptions, AlertRelayOptionsValidator>(AlertRelayOptions.Section);
        services.AddSingleton<AlertRelayService>();
        services.AddHttpClient<PagerDutyClient>(PagerDutyClient.HttpClientName).AddStandardResilienceHandler(r => Resilience(r, configuration));
        services.AddHttpClient<SlackClient>(SlackClient.HttpClientName).AddStandardResilienceHandler(r => Resilience(r, configuration));
        return services;
    }

    /// <summary>
    /// Reads the settings unvalidated and clamped: the resilience options are validated at start too, and a bad
    /// <c>AlertRelay__*</c> value must be reported once, by <see cref="AlertRelayOptionsValidator"/>, not again here.
    /// </summary>
    private static void Resilience(HttpStandardResilienceOptions resilience, IConfiguration configuration)
    {
        var options = new AlertRelayOptions();
        configuration.GetSection(AlertRelayOptions.Section).Bind(options);
        var retries = Math.Clamp(options.MaxRetries, 1, 10);
        var attempt = TimeSpan.FromSeconds(Math.Clamp(options.AttemptTimeoutSeconds, 0.1, 60));
        resilience.Retry.MaxRetryAttempts = retries;
        resilience.Retry.BackoffType = DelayBackoffType.Exponential;
        resilience.Retry.UseJitter = true;
        resilience.Retry.Delay = TimeSpan.FromSeconds(Math.Clamp(options.RetryBaseDelaySeconds, 0.001, 30));
        resilience.Retry.MaxDelay = TimeSpan.FromSeconds(30);
        resilience.AttemptTimeout.Timeout = attempt;
        // Every attempt at its deadline plus the longest backoffs, so the total never cuts the last retry short.
        resilience.TotalRequestTimeout.Timeout = attempt * (retries + 1) + TimeSpan.FromSeconds(30 * retries);
        resilience.CircuitBreaker.SamplingDuration = attempt * 2 > TimeSpan.FromSeconds(30) ? attempt * 2 : TimeSpan.FromSeconds(30);
    }
}

