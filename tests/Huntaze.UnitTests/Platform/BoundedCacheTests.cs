using Huntaze.Functions.Platform.Caching;
using Microsoft.Extensions.Time.Testing;

namespace Huntaze.UnitTests.Platform;

public sealed class BoundedCacheTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RefreshAhead = TimeSpan.FromSeconds(2);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 16, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetOrLoadAsync_MissThenFresh_LoadsOnce()
    {
        var cache = new BoundedCache<string>(_time, 10);
        var loader = new Loader();

        var first = await cache.GetOrLoadAsync("u1", loader.LoadAsync, Lifetime, RefreshAhead, Ct);
        _time.Advance(TimeSpan.FromSeconds(2));
        var second = await cache.GetOrLoadAsync("u1", loader.LoadAsync, Lifetime, RefreshAhead, Ct);

        Assert.Equal("u1#1", first);
        Assert.Equal("u1#1", second);
        Assert.Equal(1, loader.Calls);
    }

    [Fact]
    public async Task GetOrLoadAsync_InTheLastStretch_ServedAtOnceAndReloadedOnceInTheBackground()
    {
        var cache = new BoundedCache<string>(_time, 10);
        var loader = new Loader();
        await cache.GetOrLoadAsync("u1", loader.LoadAsync, Lifetime, RefreshAhead, Ct);
        _time.Advance(TimeSpan.FromSeconds(4));
        var reload = loader.Hold();

        var served = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var pending = cache.GetOrLoadAsync("u1", loader.LoadAsync, Lifetime, RefreshAhead, Ct);
            Assert.True(pending.IsCompletedSuccessfully); // nobody waits on the reload
            served.Add(await pending);
        }

        Assert.Equal(["u1#1", "u1#1", "u1#1"], served);
        reload.SetResult();
        await loader.WaitForCallsAsync(2);
        await UntilAsync(async () => await cache.GetOrLoadAsync("u1", loader.LoadAsync, Lifetime, RefreshAhead, Ct) == "u1#2");
        Assert.Equal(2, loader.Calls);
        _time.Advance(TimeSpan.FromSeconds(2)); // past the first entry's deadline, within the reloaded one's
        Assert.Equal("u1#2", await cache.GetOrLoadAsync("u1", loader.LoadAsync, Lifetime, RefreshAhead, Ct));
        Assert.Equal(2, loader.Calls);
    }

    [Fact]
    public async Task GetOrLoadAsync_Expired_CallerWaitsForTheLoadNeverServedStale()
    {
        var cache = new BoundedCache<string>(_time, 10);
        var loader = new Loader();
        await cache.GetOrLoadAsync("u1", loader.LoadAsync, Lifetime, RefreshAhead, Ct);
        _time.Advance(Lifetime);
        var load = loader.Hold();

        var pending = cache.GetOrLoadAsync("u1", loader.LoadAsync, Lifetime, RefreshAhead, Ct);

        Assert.False(pending.IsCompleted);
        load.SetResult();
        Assert.Equal("u1#2", await pending);
    }

    [Fact]
    public async Task GetOrLoadAsync_RemovedWhileReloading_StaysRemoved()
    {
        var cache = new BoundedCache<string>(_time, 10);
        var loader = new Loader();
        await cache.GetOrLoadAsync("u1", loader.LoadAsync, Lifetime, RefreshAhead, Ct);
        _time.Advance(TimeSpan.FromSeconds(4));
        var reload = loader.Hold();
        await cache.GetOrLoadAsync("u1", loader.LoadAsync, Lifetime, RefreshAhead, Ct);

        cache.Remove("u1"); // e.g. the user recorded a new choice on this instance
        reload.SetResult();
        await loader.WaitForCallsAsync(2);
        await Task.Delay(50, Ct);

        Assert.False(cache.TryGet("u1", out _));
    }

    [Fact]
    public async Task GetOrLoadAsync_BackgroundReloadFails_EntryExpiresAndTheNextCallerLoads()
    {
        var cache = new BoundedCache<string>(_time, 10);
        var loader = new Loader();
        await cache.GetOrLoadAsync("u1", loader.LoadAsync, Lifetime, RefreshAhead, Ct);
        _time.Advance(TimeSpan.FromSeconds(4));
        loader.FailNext = true;

        Assert.Equal("u1#1", await cache.GetOrLoadAsync("u1", loader.LoadAsync, Lifetime, RefreshAhead, Ct));
        await loader.WaitForCallsAsync(2);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal("u1#3", await cache.GetOrLoadAsync("u1", loader.LoadAsync, Lifetime, RefreshAhead, Ct));
    }

    [Fact]
    public async Task GetOrLoadAsync_ConcurrentMisses_ShareOneLoad()
    {
        var cache = new BoundedCache<string>(_time, 10);
        var loader = new Loader();
        var load = loader.Hold();

        var pending = Enumerable.Range(0, 5).Select(_ => cache.GetOrLoadAsync("u1", loader.LoadAsync, Lifetime, RefreshAhead, Ct).AsTask()).ToList();
        Assert.All(pending, p => Assert.False(p.IsCompleted));
        load.SetResult();

        Assert.All(await Task.WhenAll(pending), value => Assert.Equal("u1#1", value));
        Assert.Equal(1, loader.Calls);
    }

    [Fact]
    public async Task GetOrLoadAsync_RemovedDuringAColdLoad_ResultNotKept()
    {
        var cache = new BoundedCache<string>(_time, 10);
        var loader = new Loader();
        var load = loader.Hold();
        var pending = cache.GetOrLoadAsync("u1", loader.LoadAsync, Lifetime, RefreshAhead, Ct);

        cache.Remove("u1"); // the user recorded a new choice on this instance while the old one was being read
        var after = cache.GetOrLoadAsync("u1", loader.LoadAsync, Lifetime, RefreshAhead, Ct);
        load.SetResult();

        Assert.Equal("u1#1", await pending); // the caller that asked before the change gets what was read then
        Assert.Equal("u1#2", await after); // a caller after the change does not join the read that predates it
        Assert.True(cache.TryGet("u1", out var kept));
        Assert.Equal("u1#2", kept); // the older read, finishing last, did not overwrite the newer
        Assert.Equal(2, loader.Calls);
    }

    [Fact]
    public async Task GetOrLoadAsync_SetDuringAColdLoad_TheLoadDoesNotOverwriteIt()
    {
        var cache = new BoundedCache<string>(_time, 10);
        var loader = new Loader();
        var load = loader.Hold();
        var pending = cache.GetOrLoadAsync("u1", loader.LoadAsync, Lifetime, RefreshAhead, Ct);

        cache.Set("u1", "recorded", _time.GetUtcNow() + Lifetime);
        load.SetResult();
        await pending;

        Assert.True(cache.TryGet("u1", out var kept));
        Assert.Equal("recorded", kept);
    }

    [Fact]
    public async Task GetOrLoadAsync_CallerCancelled_SharedLoadStillServesTheOthers()
    {
        var cache = new BoundedCache<string>(_time, 10);
        var loader = new Loader();
        var load = loader.Hold();
        using var cancelled = new CancellationTokenSource();
        var leaving = cache.GetOrLoadAsync("u1", loader.LoadAsync, Lifetime, RefreshAhead, cancelled.Token).AsTask();
        var staying = cache.GetOrLoadAsync("u1", loader.LoadAsync, Lifetime, RefreshAhead, Ct);

        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);
        load.SetResult();

        Assert.Equal("u1#1", await staying);
        Assert.True(cache.TryGet("u1", out var kept));
        Assert.Equal("u1#1", kept);
        Assert.Equal(1, loader.Calls);
    }

    [Fact]
    public async Task Prefetch_ThenGetOrLoadAsync_JoinsThePrefetchedLoad()
    {
        var cache = new BoundedCache<string>(_time, 10);
        var loader = new Loader();
        var load = loader.Hold();

        cache.Prefetch("u1", loader.LoadAsync, Lifetime);
        await loader.WaitForCallsAsync(1);
        var pending = cache.GetOrLoadAsync("u1", loader.LoadAsync, Lifetime, RefreshAhead, Ct);
        Assert.False(pending.IsCompleted);
        load.SetResult();

        Assert.Equal("u1#1", await pending);
        cache.Prefetch("u1", loader.LoadAsync, Lifetime); // held fresh: nothing to load
        Assert.Equal(1, loader.Calls);
    }

    [Fact]
    public void TryGet_KeyAsPartOfALargerString_FoundUntilItsDeadline()
    {
        var cache = new BoundedCache<string>(_time, 10);
        cache.Set("token", "caller", _time.GetUtcNow() + Lifetime);
        const string header = "Bearer token";

        Assert.True(cache.TryGet(header.AsSpan(7), out var value));
        Assert.Equal("caller", value);
        Assert.False(cache.TryGet(header.AsSpan(6), out _));
        _time.Advance(Lifetime);
        Assert.False(cache.TryGet(header.AsSpan(7), out _));
    }

    /// <summary>Polls a condition that background work makes true, for at most 10 s.</summary>
    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        for (var waited = 0; !await condition(); waited += 10)
        {
            Assert.True(waited < 10_000, "The background reload did not happen within 10 s.");
            await Task.Delay(10, Ct);
        }
    }

    /// <summary>Answers "key#n" for its n-th call; <see cref="Hold"/> makes the next call wait for a signal.</summary>
    private sealed class Loader
    {
        private int _calls;
        private TaskCompletionSource? _gate;

        public bool FailNext { get; set; }

        public int Calls => Volatile.Read(ref _calls);

        public TaskCompletionSource Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<string> LoadAsync(string key, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref _calls);
            if (Interlocked.Exchange(ref _gate, null) is { } gate)
            {
                await gate.Task.WaitAsync(cancellationToken);
            }

            if (FailNext)
            {
                FailNext = false;
                throw new InvalidOperationException("storage down");
            }

            return $"{key}#{n}";
        }

        public Task WaitForCallsAsync(int calls) => UntilAsync(() => Task.FromResult(Calls >= calls));
    }
}
