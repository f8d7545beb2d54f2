using System.Reflection;
using System.Reflection.Emit;
using Huntaze.Functions.Platform.Health;

namespace Huntaze.UnitTests.Platform;

public sealed class BuildInfoTests
{
    [Fact]
    public void Current_FunctionsAssembly_CarriesCommitAndVersionStampedAtBuild()
    {
        var metadata = typeof(BuildInfo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value);

        Assert.Equal(metadata[BuildInfo.CommitKey], BuildInfo.Current.Commit);
        Assert.Equal(metadata[BuildInfo.VersionKey], BuildInfo.Current.Version);
        // A local build says "local"; a release build a full commit SHA (Directory.Build.props refuses anything else).
        Assert.Matches("^(local|[0-9a-f]{40})$", BuildInfo.Current.Commit);
        Assert.NotEqual(BuildInfo.Unknown, BuildInfo.Current.Version);
    }

    [Fact]
    public void From_AssemblyWithoutMetadata_ReportsUnknown()
    {
        var bare = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("bare"), AssemblyBuilderAccess.Run);

        Assert.Equal(new BuildInfo(BuildInfo.Unknown, BuildInfo.Unknown), BuildInfo.From(bare));
    }
}
