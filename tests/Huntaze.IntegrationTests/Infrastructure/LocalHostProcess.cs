using System.Collections.Concurrent;
using System.Diagnostics;
using Huntaze.LocalHost;

namespace Huntaze.IntegrationTests.Infrastructure;

/// <summary>
/// The local host as its own process (<c>dotnet Huntaze.LocalHost.dll</c>), so a test can stop it the way
/// an operator or a crash does: SIGINT (Ctrl+C) or SIGKILL. Settings go in as environment variables.
/// </summary>
public sealed class LocalHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private LocalHostProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseAddress { get; }

    /// <summary>What the process printed so far.</summary>
    public string Output => string.Join(Environment.NewLine, _output);

    /// <summary>Starts the host on a free port and waits until <c>/api/health</c> answers.</summary>
    public static async Task<LocalHostProcess> StartAsync(IReadOnlyDictionary<string, string?> settings, CancellationToken cancellationToken)
    {
        var port = FreePort.Next();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "Huntaze.LocalHost.dll"), "--no-local-settings", "--urls", $"http://127.0.0.1:{port}" })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        var host = new LocalHostProcess(Process.Start(start) ?? throw new InvalidOperationException("Could not start the local host."), new Uri($"http://127.0.0.1:{port}"));
        try
        {
            using var client = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
            await Eventually.HoldsAsync(async () =>
            {
                if (host._process.HasExited)
                {
                    throw new Xunit.Sdk.XunitException($"The local host exited with code {host._process.ExitCode}:{Environment.NewLine}{host.Output}");
                }

                try
                {
                    using var response = await client.GetAsync("/api/health", cancellationToken);
                    return response.IsSuccessStatusCode;
                }
                catch (Exception exception) when (exception is HttpRequestException || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    return false; // not listening yet, or too busy starting to answer within the client's timeout
                }
            }, TimeSpan.FromSeconds(180), "the local host process answers /api/health", TimeSpan.FromMilliseconds(100));
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    public HttpClient CreateClient() => new(new ResponseInvariantsHandler { InnerHandler = new HttpClientHandler { UseCookies = false } })
    {
        BaseAddress = BaseAddress,
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Ctrl+C: the host stops its services in order and exits; true when it exited by itself in time.</summary>
    public Task<bool> StopGracefullyAsync() => ProcessSignals.StopGracefullyAsync(_process, TimeSpan.FromSeconds(30));

    /// <summary>kill -9: nothing runs after this, nothing is flushed or released.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Record(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }
}
