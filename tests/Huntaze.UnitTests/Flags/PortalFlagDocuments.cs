namespace Huntaze.UnitTests.Flags;

/// <summary>
/// Flag documents as others write them, not as we do: shaped after the Azure portal's feature manager
/// (advanced edit) and the fixtures Microsoft's App Configuration provider tests against, within the
/// FeatureFlag v2.0.0 schema (Azure/AppConfiguration docs/FeatureManagement). Portal time windows are
/// RFC 1123 dates; the portal writes <c>"description": ""</c>; telemetry, variants and allocation are the
/// portal's "Telemetry" and "Variant feature flag" options; the JavaScript SDK writes filter parameters in
/// camelCase, which Microsoft's libraries bind case-insensitively.
/// </summary>
internal static class PortalFlagDocuments
{
    /// <summary>The review's case: a kill switch switched on in the portal with telemetry left off.</summary>
    public const string KillSwitchWithTelemetry = """
        {"id":"Onboarding.KillSwitch","description":"INC-42 step writes failing","enabled":true,"conditions":{"client_filters":[]},"telemetry":{"enabled":false}}
        """;

    /// <summary>A display name and an absolute time window, all filters required.</summary>
    public const string TimeWindowWithDisplayName = """
        {
          "id": "Onboarding",
          "description": "",
          "display_name": "Creator onboarding",
          "enabled": true,
          "conditions": {
            "requirement_type": "All",
            "client_filters": [
              { "name": "Microsoft.TimeWindow", "parameters": { "Start": "Wed, 01 May 2030 13:59:59 GMT", "End": "Mon, 01 Jul 2030 00:00:00 GMT" } }
            ]
          }
        }
        """;

    /// <summary>A weekly recurring window (Mondays and Fridays, 09:00–17:00 UTC) from the portal's recurrence editor.</summary>
    public const string RecurringTimeWindow = """
        {"id":"Onboarding","enabled":true,"conditions":{"client_filters":[{"name":"Microsoft.TimeWindow","parameters":{"Start":"Fri, 05 Jan 2024 09:00:00 GMT","End":"Fri, 05 Jan 2024 17:00:00 GMT","Recurrence":{"Pattern":{"Type":"Weekly","DaysOfWeek":["Monday","Friday"]},"Range":{"Type":"NoEnd"}}}}]}}
        """;

    /// <summary>The "quote of the day" variant flag: variants, a percentile allocation and telemetry on.</summary>
    public const string VariantsWithTelemetry = """
        {
          "id": "Onboarding",
          "description": "",
          "enabled": true,
          "variants": [ { "name": "On", "configuration_value": true }, { "name": "Off", "configuration_value": false, "status_override": "Disabled" } ],
          "allocation": {
            "percentile": [ { "variant": "On", "from": 0, "to": 50 }, { "variant": "Off", "from": 50, "to": 100 } ],
            "default_when_enabled": "Off",
            "default_when_disabled": "Off",
            "seed": "13992821"
          },
          "telemetry": { "enabled": true, "metadata": { "Tags.Owner": "growth" } }
        }
        """;

    /// <summary>"enabled" written as a string, which Microsoft's provider reads as a boolean.</summary>
    public const string EnabledAsString = """
        {"id":"Onboarding","enabled":"true","telemetry":{"enabled":"true","metadata":{"Tags.Tag1":"Tag1Value"}}}
        """;

    /// <summary>No "enabled" at all: the schema's default is false.</summary>
    public const string EnabledMissing = """
        {"id":"Onboarding","description":"draft","display_name":"Onboarding (draft)"}
        """;

    /// <summary>camelCase targeting (the JavaScript SDK), a custom filter and the percentage filter under "Any".</summary>
    public const string CamelCaseTargetingAndCustomFilters = """
        {"id":"Onboarding","enabled":true,"conditions":{"client_filters":[{"name":"Contoso.Browser","parameters":{"AllowedBrowsers":["Firefox"]}},{"name":"Microsoft.Targeting","parameters":{"audience":{"groups":[{"name":"market:FR","rolloutPercentage":100}],"users":["alice"],"defaultRolloutPercentage":0}}},{"name":"Microsoft.Percentage","parameters":{"Value":25}}]}}
        """;

    public static TheoryData<string, string> Readable => new()
    {
        { KillSwitchWithTelemetry, "'telemetry' is kept" },
        { TimeWindowWithDisplayName, "'display_name' is kept" },
        { RecurringTimeWindow, string.Empty },
        { VariantsWithTelemetry, "'variants' is kept" },
        { EnabledAsString, "'enabled' is the string \"true\"" },
        { EnabledMissing, "'enabled' is absent: off" },
        { CamelCaseTargetingAndCustomFilters, "Filter 'Contoso.Browser' at 'conditions.client_filters[0]' is not supported here" },
    };
}
