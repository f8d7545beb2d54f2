using Huntaze.Functions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Huntaze.UnitTests.Platform;

/// <summary>Every options type is checked at start the same way, and a failure names the setting and the value found.</summary>
public sealed class OptionsValidationTests
{
    private static readonly string Key = Convert.ToBase64String(new byte[32]);

    [Fact]
    public void Start_DefaultSettings_Pass()
    {
        using var services = Build([]);

        services.GetRequiredService<IStartupValidator>().Validate();
    }

    [Theory]
    [InlineData("Onboarding:ConflictRetries", "0", "Onboarding:ConflictRetries is 0;")]
    [InlineData("Onboarding:TableName", "ab", "Onboarding:TableName is 'ab';")]
    [InlineData("Onboarding:KillSwitchRetryAfterSeconds", "7200", "Onboarding:KillSwitchRetryAfterSeconds is 7200;")]
    [InlineData("Onboarding:MigrationParallelism", "100", "Onboarding:MigrationParallelism is 100;")]
    [InlineData("RateLimits:reads:Limit", "0", "RateLimits:reads:Limit is 0;")]
    [InlineData("RateLimits:step-writes:ReservationSize", "50", "RateLimits:step-writes:ReservationSize is 50;")]
    [InlineData("RateLimits:reads:MaxReservationSize", "11", "RateLimits:reads:MaxReservationSize is 11;")]
    [InlineData("RateLimits:reads:MaxReservationSize", "601", "RateLimits:reads:MaxReservationSize is 601;")]
    [InlineData("Health:Timeout", "00:00:30", "Health:Timeout is 00:00:30;")]
    [InlineData("Storage:TablePrefix", "a-b", "Storage:TablePrefix is 'a-b';")]
    [InlineData("Flags:SnapshotPollSeconds", "9", "Flags:SnapshotPollSeconds is 9;")]
    [InlineData("Flags:InitialLoadTimeoutSeconds", "0", "Flags:InitialLoadTimeoutSeconds is 0;")]
    [InlineData("Flags:InitialLoadTimeoutSeconds", "-1", "Flags:InitialLoadTimeoutSeconds is -1;")]
    [InlineData("Flags:StaleAfterSeconds", "1", "Flags:StaleAfterSeconds is 1;")]
    [InlineData("Flags:AppConfiguration:MaxRetries", "11", "Flags:AppConfiguration:MaxRetries is 11;")]
    [InlineData("Flags:ClientFlags:0", "bad name", "Flags:ClientFlags:0 is 'bad name';")]
    [InlineData("Flags:AppConfiguration:WriterClientId", "not-a-guid", "Flags:AppConfiguration:WriterClientId is 'not-a-guid';")]
    [InlineData("Security:AllowedOrigins:0", "*", "Security:AllowedOrigins:0 is '*';")]
    [InlineData("Auth:ClockSkewSeconds", "60", "Auth:ClockSkewSeconds is 60;")]
    [InlineData("AlertRelay:MaxRetries", "0", "AlertRelay:MaxRetries is 0;")]
    [InlineData("AlertRelay:PagerDutyEventsUrl", "ftp://events.example", "AlertRelay:PagerDutyEventsUrl is 'ftp://events.example';")]
    [InlineData("Auth:Authority", "http://login.example/t/v2.0", "Auth:Authority is 'http://login.example/t/v2.0';")]
    [InlineData("AzureFunctionsJobHost:extensions:durableTask:hubName", "1hub", "AzureFunctionsJobHost:extensions:durableTask:hubName is '1hub';")]
    [InlineData("AzureFunctionsJobHost:extensions:durableTask:storageProvider:partitionCount", "17", "AzureFunctionsJobHost:extensions:durableTask:storageProvider:partitionCount is 17;")]
    [InlineData("AzureFunctionsJobHost:extensions:durableTask:storageProvider:maxQueuePollingInterval", "00:00:00", "AzureFunctionsJobHost:extensions:durableTask:storageProvider:maxQueuePollingInterval is 00:00:00;")]
    [InlineData("Orchestrations:RetentionDays", "0", "Orchestrations:RetentionDays is 0;")]
    public void Start_SettingOutOfRange_FailureNamesSettingAndValue(string setting, string value, string expected)
    {
        using var services = Build(new() { [setting] = value });

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(expected, failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Security:CsrfSigningKey")]
    [InlineData("Auth:DevelopmentSigningKey")]
    public void Start_ShortSecret_FailureNamesSettingButNotTheSecret(string setting)
    {
        var secret = Convert.ToBase64String("sixteen-byte-key"u8.ToArray());
        using var services = Build(new() { [setting] = secret });

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains($"{setting} is a secret of {secret.Length} characters (not shown); must be base64 of at least 32 bytes.", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_DevelopmentKeyInProduction_FailureNamesAuthority()
    {
        using var services = Build(new() { ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Production" });

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Auth:Authority is empty; it is required in the Production environment", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_SeveralBadSettings_ReportsEach()
    {
        using var services = Build(new() { ["Onboarding:ConflictRetries"] = "0", ["Onboarding:MigrationPagesPerGeneration"] = "0" });

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Onboarding:ConflictRetries is 0", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Onboarding:MigrationPagesPerGeneration is 0", failure.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(Dictionary<string, string?> overrides)
    {
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
            ["Auth:Issuer"] = "https://huntaze.local/test",
            ["Auth:Audience"] = "api://huntaze-onboarding",
            ["Auth:DevelopmentSigningKey"] = Key,
        };
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddHuntaze(configuration);
        return services.BuildServiceProvider();
    }
}
