using System.Text.RegularExpressions;
using Huntaze.LocalHost.Configuration;

namespace Huntaze.UnitTests.Delivery;

/// <summary>
/// Infrastructure rules a successor could break without the Bicep build noticing (docs/decisions/0013): role ids
/// in one file (the deploy principal's ABAC condition lists exactly those), the app identity reading flags only,
/// production's protections, and old blob versions expiring.
/// </summary>
public sealed partial class InfrastructurePolicyTests
{
    private static readonly string Bicep = Path.Combine(RepositoryPaths.FindRoot() ?? throw new InvalidOperationException("Repository root not found."), "bicep");

    [Fact]
    public void RoleIds_AnyGuidLiteral_LivesOnlyInRolesBicep()
    {
        var offenders = Directory.EnumerateFiles(Bicep, "*.bicep*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "roles.bicep")
            .SelectMany(f => Guid().Matches(File.ReadAllText(f)).Select(m => $"{Path.GetRelativePath(Bicep, f)}: {m.Value}"))
            .ToList();

        Assert.True(offenders.Count == 0, "Role ids belong in bicep/roles.bicep, so the deploy principal's condition covers them:\n" + string.Join('\n', offenders));
    }

    [Fact]
    public void Rbac_AppConfigurationRoles_AppReadsAndOnlyTheFlagAdminWrites()
    {
        var rbac = File.ReadAllText(Path.Combine(Bicep, "modules/rbac.bicep"));
        var assignments = Assignment().Matches(rbac).Select(m => (principal: m.Groups["principal"].Value, role: m.Groups["role"].Value)).ToList();

        Assert.Contains(("principalId", "appConfigurationDataReader"), assignments);
        Assert.Contains(("flagAdminPrincipalId", "appConfigurationDataOwner"), assignments);
        Assert.DoesNotContain(("principalId", "appConfigurationDataOwner"), assignments);
    }

    [Fact]
    public void Parameters_ProdComparedWithDev_ZoneRedundantLockedAndScalesFurther()
    {
        var dev = Parameters("env/dev.bicepparam");
        var prod = Parameters("env/prod.bicepparam");

        Assert.Equal("'prod'", prod["environmentName"]);
        Assert.Equal("'Standard_ZRS'", prod["storageSkuName"]);
        Assert.Equal("true", prod["storageDeleteLock"]);
        Assert.Equal("false", dev["storageDeleteLock"]);
        Assert.True(int.Parse(prod["maximumInstanceCount"], System.Globalization.CultureInfo.InvariantCulture) > int.Parse(dev["maximumInstanceCount"], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Storage_Lifecycle_DeletesOldVersionsAccountWideAfterTheRestoreWindowPlusAMargin()
    {
        var storage = File.ReadAllText(Path.Combine(Bicep, "modules/storage.bicep"));
        var rule = Regex.Match(storage, @"name: 'delete-old-versions'(?<body>.*?)\n        \}\n", RegexOptions.Singleline);

        Assert.True(rule.Success, "storage.bicep has the 'delete-old-versions' lifecycle rule");
        Assert.DoesNotContain("prefixMatch", rule.Groups["body"].Value, StringComparison.Ordinal);
        Assert.Contains("daysAfterCreationGreaterThan: versionRetentionDays", rule.Groups["body"].Value, StringComparison.Ordinal);
        Assert.Matches(@"var versionRetentionDays = pointInTimeRestoreDays \+ [1-9]\d*", storage);
    }

    private static Dictionary<string, string> Parameters(string file) =>
        File.ReadAllLines(Path.Combine(Bicep, file))
            .Select(l => Parameter().Match(l))
            .Where(m => m.Success)
            .ToDictionary(m => m.Groups["name"].Value, m => m.Groups["value"].Value.Trim());

    [GeneratedRegex(@"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")]
    private static partial Regex Guid();

    [GeneratedRegex(@"roleDefinitionId: subscriptionResourceId\('Microsoft.Authorization/roleDefinitions', roles\.(?<role>\w+)\)\s*\n\s*principalId: (?<principal>\w+)")]
    private static partial Regex Assignment();

    [GeneratedRegex(@"^param (?<name>\w+) = (?<value>.+)$")]
    private static partial Regex Parameter();
}
