using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Huntaze.Functions.Privacy.Handlers;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.Functions.Privacy.Requests;

namespace Huntaze.Functions.Privacy.Workflow;

/// <summary>
/// The archive of an access or portability request: <c>{store}.json</c> per store of the data map (its
/// declaration and the subject's items) and <c>manifest.json</c> with the item count and SHA-256 of each
/// file. An access archive adds <c>processing.json</c>: the Art. 15(1) information (purposes, recipients,
/// retention, rights) taken from the registry.
/// </summary>
public static class ExportArchive
{
    public const string Format = "huntaze-export/1";
    private static readonly JsonSerializerOptions Indented = new(Platform.Http.ApiJson.Options) { WriteIndented = true };

    public static async Task<int> WriteAsync(Stream output, PrivacyRequest request, IReadOnlyList<StoreData> data, DataMap map, DateTimeOffset generatedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(map);
        var files = new JsonArray();
        var items = 0;
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var store in data.OrderBy(d => d.Store, StringComparer.Ordinal))
            {
                var declaration = map.Get(store.Store);
                var body = new JsonObject
                {
                    ["store"] = declaration.Name,
                    ["kind"] = RequestStore.Snake(declaration.Kind),
                    ["holds"] = declaration.Holds,
                    ["fields"] = JsonSerializer.SerializeToNode(declaration.PersonalFields.ToList(), Platform.Http.ApiJson.Options),
                    ["items"] = new JsonArray([.. store.Items.Select(i => (JsonNode)i.DeepClone())]),
                };
                var file = FileName(store.Store);
                files.Add(await AddAsync(zip, file, body, store.Items.Count, cancellationToken).ConfigureAwait(false));
                items += store.Items.Count;
            }

            if (request.Type == RequestType.Access)
            {
                var processing = JsonSerializer.SerializeToNode(new
                {
                    controller = HuntazeRegistry.Controller,
                    dataProtectionOfficer = HuntazeRegistry.DataProtectionOfficer,
                    activities = HuntazeRegistry.Activities,
                    rights = "You may ask for rectification, erasure, restriction or portability, object to processing based on legitimate interests, and lodge a complaint with a supervisory authority (Art. 15(1)(e), 77).",
                    source = "Collected from you through the Huntaze app and API.",
                }, Platform.Http.ApiJson.Options)!;
                files.Add(await AddAsync(zip, "processing.json", processing, HuntazeRegistry.Activities.Count, cancellationToken).ConfigureAwait(false));
            }

            var manifest = new JsonObject
            {
                ["format"] = Format,
                ["requestId"] = request.Id,
                ["type"] = RequestStore.Snake(request.Type),
                ["subject"] = request.UserId,
                ["generatedAt"] = generatedAt,
                ["files"] = files,
            };
            await AddAsync(zip, "manifest.json", manifest, files.Count, cancellationToken).ConfigureAwait(false);
        }

        return items;
    }

    public static string FileName(string storeKey) => storeKey.Replace("blob:", "blob-", StringComparison.Ordinal).Replace("{yyyyMMdd}", "", StringComparison.Ordinal) + ".json";

    private static async Task<JsonObject> AddAsync(ZipArchive zip, string name, JsonNode body, int count, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body, Indented);
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        var stream = await entry.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        }

        return new JsonObject { ["file"] = name, ["items"] = count, ["bytes"] = bytes.Length, ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(bytes)) };
    }
}
