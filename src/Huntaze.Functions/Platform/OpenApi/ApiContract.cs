using System.Security.Cryptography;
using System.Text;
using Huntaze.Functions.Platform.Hosting;

namespace Huntaze.Functions.Platform.OpenApi;

/// <summary>The app's OpenAPI document, built once per process from the app's function catalog, with its ETag.</summary>
public sealed class ApiContract
{
    private readonly Lazy<Task<ApiContractDocument>> _document = new(RenderAsync);

    /// <summary>The document (built on first use, without any caller's token: one caller going away must not fail the others).</summary>
    public Task<ApiContractDocument> GetAsync(CancellationToken cancellationToken) => _document.Value.WaitAsync(cancellationToken);

    /// <summary>The app's contract as OpenAPI 3.1 JSON text (what docs/api/openapi.json holds).</summary>
    public static Task<string> RenderJsonAsync(CancellationToken cancellationToken) =>
        OpenApiDocumentBuilder.SerializeAsync(OpenApiDocumentBuilder.Build(FunctionCatalog.ForApp()), cancellationToken);

    private static async Task<ApiContractDocument> RenderAsync()
    {
        var json = Encoding.UTF8.GetBytes(await RenderJsonAsync(CancellationToken.None).ConfigureAwait(false));
        return new ApiContractDocument(json, $"\"{Convert.ToHexStringLower(SHA256.HashData(json))[..32]}\"");
    }
}

/// <summary>The serialized document and its strong entity-tag (a hash of the bytes).</summary>
public sealed record ApiContractDocument(byte[] Json, string ETag);
