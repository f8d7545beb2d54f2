using System.Globalization;
using System.Text;

namespace Huntaze.Functions.Privacy.Registry;

/// <summary>
/// Renders the registry to <c>docs/privacy/article-30.md</c>. Deterministic (declaration order, invariant
/// culture, '\n' line ends), so the doc test can compare it byte for byte with what the API serves.
/// </summary>
public static class RegistryMarkdown
{
    public const string RelativePath = "docs/privacy/article-30.md";

    public static string Render(ProcessingRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var md = new StringBuilder();
        md.Append("# Record of processing activities (GDPR Art. 30)\n\n");
        md.Append("Generated from the registry the app serves at `GET /api/admin/privacy/registry` (roles dpo, admin), whose source is\n");
        md.Append("`src/Huntaze.Functions/Privacy/Registry/`. Do not edit by hand: change the registry, then run\n");
        md.Append("`HUNTAZE_WRITE_GENERATED_DOCS=1 dotnet test --project tests/Huntaze.IntegrationTests --filter-method \"*Article30*\"`.\n");
        md.Append("A test fails when this file and the served registry differ.\n\n");

        md.Append("## Controller and data protection officer (Art. 30(1)(a))\n\n");
        md.Append("| role | name | contact | address |\n|---|---|---|---|\n");
        Row(md, "Controller", registry.Controller.Name, registry.Controller.Contact, registry.Controller.Address ?? "");
        Row(md, "Data protection officer", registry.DataProtectionOfficer.Name, registry.DataProtectionOfficer.Contact, registry.DataProtectionOfficer.Address ?? "");

        md.Append("\n## Processing activities (Art. 30(1)(b)–(g))\n");
        foreach (var activity in registry.Activities)
        {
            md.Append(CultureInfo.InvariantCulture, $"\n### {activity.Name} (`{activity.Id}`)\n\n");
            Item(md, "Purposes (b)", activity.Purposes);
            Item(md, "Lawful basis", [activity.LawfulBasis]);
            Item(md, "Categories of data subjects (c)", activity.SubjectCategories);
            Item(md, "Categories of personal data (c)", activity.DataCategories);
            Item(md, "Recipients (d)", activity.Recipients);
            Item(md, "Transfers to third countries and safeguards (e)", [activity.Transfers]);
            Item(md, "Time limits for erasure (f)", [activity.Retention]);
            Item(md, "Security measures (g)", activity.SecurityMeasures);
            if (activity.Objectable.Count > 0)
            {
                Item(md, "Objection (Art. 21)", activity.Objectable);
            }

            var stores = registry.DataMap.Where(s => s.Activities.Contains(activity.Id)).Select(s => $"`{s.Name}`").ToList();
            Item(md, "Stores", [string.Join(", ", stores)]);
        }

        md.Append("\n## Data map\n\n");
        md.Append("Every table, blob container and task hub the app writes. The storage layer refuses to open any other\n");
        md.Append("(`Platform/Storage/StorageClients`), and a test fails when a stored property is not classified here.\n");
        md.Append("Field classes: `identifier` (a user id, or its hash or encryption), `personal` (content about the person),\n");
        md.Append("`linked` (personal only through the row's identifier), `technical` (no personal data).\n\n");
        md.Append("| store | kind | owner | how a subject's data is found | erasure | retention | backed up |\n|---|---|---|---|---|---|---|\n");
        foreach (var store in registry.DataMap)
        {
            Row(md, $"`{store.Name}`", Snake(store.Kind.ToString()), store.Owner, Snake(store.Locator.ToString()), Snake(store.Erasure.Action.ToString()),
                store.Retention.Period is { } period ? period.TotalDays.ToString(CultureInfo.InvariantCulture) + " days" : "see below", store.Backup.Included ? "yes" : "no");
        }

        foreach (var store in registry.DataMap)
        {
            md.Append(CultureInfo.InvariantCulture, $"\n### `{store.Name}` ({Snake(store.Kind.ToString())}, {store.Owner})\n\n");
            md.Append(CultureInfo.InvariantCulture, $"{store.Holds}\n\n");
            if (store.NameSetting is { } setting)
            {
                md.Append(CultureInfo.InvariantCulture, $"- **Name setting:** `{setting}`\n");
            }

            md.Append(CultureInfo.InvariantCulture, $"- **Activities:** {string.Join(", ", store.Activities.Select(a => $"`{a}`"))}\n");
            md.Append(CultureInfo.InvariantCulture, $"- **How a subject's data is found ({Snake(store.Locator.ToString())}):** {store.HowFound}\n");
            md.Append(CultureInfo.InvariantCulture, $"- **Retention:** {store.Retention.Description}{(store.Retention.Setting is { } r ? $" (setting `{r}`)" : "")}\n");
            md.Append(CultureInfo.InvariantCulture, $"- **Erasure ({Snake(store.Erasure.Action.ToString())}):** {store.Erasure.Description}{(store.Erasure.LegalBasis is { } b ? $" Basis: {b}" : "")}\n");
            md.Append(CultureInfo.InvariantCulture, $"- **Backup:** {(store.Backup.Included ? "included" : "excluded")}. {store.Backup.Reason}\n\n");
            md.Append("| field | class | meaning |\n|---|---|---|\n");
            foreach (var field in store.Fields)
            {
                Row(md, $"`{field.Name}`", Snake(field.Class.ToString()), field.Description);
            }
        }

        md.Append("\n## Cookies\n\n| name | category | purpose | lifetime | set by | attributes |\n|---|---|---|---|---|---|\n");
        foreach (var cookie in registry.Cookies)
        {
            Row(md, $"`{cookie.Name}`", cookie.Category, cookie.Purpose, cookie.Lifetime, cookie.SetBy, cookie.Attributes);
        }

        md.Append("\n## Consent categories\n\n");
        md.Append("What the banner offers (`GET /api/consent/banner.js`), the Google Consent Mode v2 signals each sets in `GET|PUT /api/consent`,\n");
        md.Append("and what the server runs only with it (docs/privacy/consent.md).\n\n");
        md.Append("| category | always on | Consent Mode v2 signals | required by | flags | meaning |\n|---|---|---|---|---|---|\n");
        foreach (var category in registry.ConsentCategories)
        {
            Row(md, $"`{category.Id}`", category.AlwaysOn ? "yes" : "no", string.Join(", ", category.ConsentModeSignals.Select(s => $"`{s}`")),
                string.Join(", ", category.RequiredBy.Select(a => $"`{a}`")), category.FlagPrefix is { } prefix ? $"`{prefix}*`" : "", category.Description);
        }

        return md.ToString();
    }

    private static void Item(StringBuilder md, string label, IReadOnlyList<string> values)
    {
        if (values.Count == 1)
        {
            md.Append(CultureInfo.InvariantCulture, $"- **{label}:** {values[0]}\n");
            return;
        }

        md.Append(CultureInfo.InvariantCulture, $"- **{label}:**\n");
        foreach (var value in values)
        {
            md.Append(CultureInfo.InvariantCulture, $"  - {value}\n");
        }
    }

    private static void Row(StringBuilder md, params string[] cells) =>
        md.Append("| ").Append(string.Join(" | ", cells.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal)))).Append(" |\n");

    private static string Snake(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
