using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using DurableTask.Core;

namespace Huntaze.LocalHost.Durable;

/// <summary>
/// The provider as the sidecar's dispatchers see it, with the two things those dispatchers don't do:
/// <list type="bullet">
/// <item>Start never throws. The sidecar starts the provider from an <c>async void</c> callback when the
/// worker connects; a storage outage there would end the process. Here the start is retried until storage
/// answers or the host stops.</item>
/// <item>Activity locks are renewed while the activity runs, up to <see cref="MaxActivityLock"/>. The sidecar
/// never renews them, so an activity running longer than the work-item visibility timeout (10 s locally, to
/// recover fast after a crash) would be handed out again while still running. The cap mirrors host.json's
/// functionTimeout: an activity the worker never answers for is handed out again after it.</item>
/// <item>Two activity work items with the same instance id and task id never run at once. The sidecar hands
/// an activity's result to the work item waiting under "instance id + task id" (its pending-activity map in
/// <c>TaskHubGrpcServer</c>) and ignores a second entry under the same key, while task ids restart at 0 in each
/// generation of an orchestration that continues as new. A previous generation's activity handed out again
/// (its message reappearing after a kill -9) and the current generation's activity with the same task id
/// then swapped results: a migration counted a page of generation 0 as a page of generation 5 and scanned
/// 550 users for 300. The second work item is parked (its lock renewed) until the first one completes.</item>
/// </list>
/// Everything else is passed through unchanged.
/// </summary>
internal sealed partial class SidecarOrchestrationService(IOrchestrationService inner, TimeSpan activityLockRenewal, TimeProvider time, ILogger logger)
    : IOrchestrationService, IDisposable
{
    /// <summary>host.json <c>functionTimeout</c>: the Functions host ends an execution after this.</summary>
    public static readonly TimeSpan MaxActivityLock = TimeSpan.FromMinutes(10);

    // Never disposed: the sidecar may call Start or Stop from its async void callbacks after the host
    // disposed this service, and a disposed source throws there, ending the process.
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<TaskActivityWorkItem, CancellationTokenSource> _renewals = new(ReferenceEqualityComparer.Instance);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _activityKeys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<TaskActivityWorkItem, (string Key, TaskCompletionSource Done)> _claims = new(ReferenceEqualityComparer.Instance);
    private readonly Channel<TaskActivityWorkItem> _unparked = Channel.CreateUnbounded<TaskActivityWorkItem>();
    private Task<TaskActivityWorkItem>? _fetching;
    private int _stopped;
    private bool _started;

    public int TaskOrchestrationDispatcherCount => inner.TaskOrchestrationDispatcherCount;


    public int MaxConcurrentTaskOrchestrationWorkItems => inner.MaxConcurrentTaskOrchestrationWorkItems;

    public BehaviorOnContinueAsNew EventBehaviourForContinueAsNew => inner.EventBehaviourForContinueAsNew;

    public int TaskActivityDispatcherCount => inner.TaskActivityDispatcherCount;

    public int MaxConcurrentTaskActivityWorkItems => inner.MaxConcurrentTaskActivityWorkItems;

    public async Task StartAsync()
    {
        // The sidecar calls this from an async void callback; a host stopped and disposed before storage answered
        // must end the loop quietly (a disposed token source would otherwise crash the process).
        CancellationToken stopping;
        try
        {
            stopping = _stopping.Token;
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        var delay = TimeSpan.FromSeconds(1);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await inner.CreateIfNotExistsAsync().ConfigureAwait(false);
                await inner.StartAsync().ConfigureAwait(false);
                Volatile.Write(ref _started, true);
                return;
            }
#pragma warning disable CA1031 // Any failure here is storage not answering yet: log it and try again.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                // Stopped meanwhile (the host disposed what the provider was using): that failure is the stop, not storage.
                if (stopping.IsCancellationRequested)
                {
                    return;
                }

                LogStartFailed(logger, exception, delay.TotalSeconds);
            }

            try
            {
                await Task.Delay(delay, time, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 10));
        }
    }

    public Task StopAsync() => StopAsync(isForced: false);

    /// <summary>
    /// Once (both the sidecar's dispatcher and the local host's shutdown ask), only if started (the provider
    /// throws otherwise), and never throwing: the sidecar calls it from an <c>async void</c> callback too.
    /// </summary>
    public async Task StopAsync(bool isForced)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var renewal in _renewals.Values)
        {
            try
            {
                await renewal.CancelAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // Its activity completed meanwhile.
            }
        }

        if (!Volatile.Read(ref _started))
        {
            return;
        }

        try
        {
            await inner.StopAsync(isForced).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Stopping is best effort: leases not released expire on their own.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogStopFailed(logger, exception);
        }
    }

    public Task CreateAsync() => inner.CreateAsync();

    public Task CreateAsync(bool recreateInstanceStore) => inner.CreateAsync(recreateInstanceStore);

    public Task CreateIfNotExistsAsync() => inner.CreateIfNotExistsAsync();

    public Task DeleteAsync() => inner.DeleteAsync();

    public Task DeleteAsync(bool deleteInstanceStore) => inner.DeleteAsync(deleteInstanceStore);

    public bool IsMaxMessageCountExceeded(int currentMessageCount, OrchestrationRuntimeState runtimeState) => inner.IsMaxMessageCountExceeded(currentMessageCount, runtimeState);

    public int GetDelayInSecondsAfterOnProcessException(Exception exception) => inner.GetDelayInSecondsAfterOnProcessException(exception);

    public int GetDelayInSecondsAfterOnFetchException(Exception exception) => inner.GetDelayInSecondsAfterOnFetchException(exception);

    public Task<TaskOrchestrationWorkItem> LockNextTaskOrchestrationWorkItemAsync(TimeSpan receiveTimeout, CancellationToken cancellationToken) =>
        inner.LockNextTaskOrchestrationWorkItemAsync(receiveTimeout, cancellationToken);

    public Task RenewTaskOrchestrationWorkItemLockAsync(TaskOrchestrationWorkItem workItem) => inner.RenewTaskOrchestrationWorkItemLockAsync(workItem);

    public Task CompleteTaskOrchestrationWorkItemAsync(
        TaskOrchestrationWorkItem workItem,
        OrchestrationRuntimeState newOrchestrationRuntimeState,
        IList<TaskMessage> outboundMessages,
        IList<TaskMessage> orchestratorMessages,
        IList<TaskMessage> timerMessages,
        TaskMessage continuedAsNewMessage,
        OrchestrationState orchestrationState) =>
        inner.CompleteTaskOrchestrationWorkItemAsync(workItem, newOrchestrationRuntimeState, outboundMessages, orchestratorMessages, timerMessages, continuedAsNewMessage, orchestrationState);

    public Task AbandonTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => inner.AbandonTaskOrchestrationWorkItemAsync(workItem);

    public Task ReleaseTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => inner.ReleaseTaskOrchestrationWorkItemAsync(workItem);

    /// <summary>
    /// The sidecar fetches activity work items from one loop. A work item whose key is taken is parked (its lock
    /// renewed) instead of holding that loop: other activities keep flowing while it waits, and it is handed out
    /// by a later call once the work item holding its key completes or is abandoned.
    /// </summary>
    public async Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(TimeSpan receiveTimeout, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_unparked.Reader.TryRead(out var unparked))
            {
                return unparked;
            }

            // Only the sidecar's single fetch loop calls this method: a fetch outlives a call that an unparked
            // work item ended first, and the next call picks it up.
            var fetching = _fetching ??= inner.LockNextTaskActivityWorkItem(receiveTimeout, cancellationToken);
            var unparkedReady = _unparked.Reader.WaitToReadAsync(cancellationToken).AsTask();
            if (await Task.WhenAny(fetching, unparkedReady).ConfigureAwait(false) != fetching)
            {
                continue;
            }

            _fetching = null;
            if (fetching.IsCanceled && !cancellationToken.IsCancellationRequested)
            {
                continue; // Started by a previous fetch loop of the sidecar, since stopped.
            }

            var workItem = await fetching.ConfigureAwait(false);
            if (workItem is null)
            {
                return null!;
            }

            var renewal = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            renewal.CancelAfter(MaxActivityLock);
            _renewals[workItem] = renewal;
            _ = RenewUntilDoneAsync(workItem, renewal.Token);
            if (TryClaimSidecarKey(workItem))
            {
                return workItem;
            }

            _ = ParkAsync(workItem);
        }
    }

    public Task<TaskActivityWorkItem> RenewTaskActivityWorkItemLockAsync(TaskActivityWorkItem workItem) => inner.RenewTaskActivityWorkItemLockAsync(workItem);

    public async Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem workItem, TaskMessage responseMessage)
    {
        try
        {
            await StopRenewingAsync(workItem).ConfigureAwait(false);
            await inner.CompleteTaskActivityWorkItemAsync(workItem, responseMessage).ConfigureAwait(false);
        }
        finally
        {
            ReleaseSidecarKey(workItem);
        }
    }

    public async Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem workItem)
    {
        try
        {
            await StopRenewingAsync(workItem).ConfigureAwait(false);
            await inner.AbandonTaskActivityWorkItemAsync(workItem).ConfigureAwait(false);
        }
        finally
        {
            ReleaseSidecarKey(workItem);
        }
    }

    /// <summary>Cancels what still runs; see <see cref="_stopping"/> for why nothing is disposed here.</summary>
    public void Dispose() => _stopping.Cancel();

    /// <summary>The key under which the sidecar waits for this activity's result (instance id + task id).</summary>
    private static string SidecarKey(TaskActivityWorkItem workItem) =>
        string.Create(CultureInfo.InvariantCulture, $"{workItem.TaskMessage.OrchestrationInstance.InstanceId}_{workItem.TaskMessage.Event.EventId}");

    private bool TryClaimSidecarKey(TaskActivityWorkItem workItem)
    {
        var key = SidecarKey(workItem);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_activityKeys.TryAdd(key, done))
        {
            return false;
        }

        _claims[workItem] = (key, done);
        return true;
    }

    /// <summary>Waits until the work item's key is free, claims it, and queues the work item for the next fetch.</summary>
    private async Task ParkAsync(TaskActivityWorkItem workItem)
    {
        var key = SidecarKey(workItem);
        LogActivityParked(logger, key, workItem.TaskMessage.OrchestrationInstance.ExecutionId);
        try
        {
            while (!TryClaimSidecarKey(workItem))
            {
                if (_activityKeys.TryGetValue(key, out var running))
                {
                    await running.Task.WaitAsync(_stopping.Token).ConfigureAwait(false);
                }
            }

            _unparked.Writer.TryWrite(workItem);
        }
        catch (OperationCanceledException)
        {
            // Stopping: its lock is no longer renewed, so its message reappears for the next host.
            await StopRenewingAsync(workItem).ConfigureAwait(false);
        }
    }

    private void ReleaseSidecarKey(TaskActivityWorkItem workItem)
    {
        if (_claims.TryRemove(workItem, out var claim))
        {
            _activityKeys.TryRemove(KeyValuePair.Create(claim.Key, claim.Done));
            claim.Done.TrySetResult();
        }
    }

    private async Task StopRenewingAsync(TaskActivityWorkItem workItem)
    {
        if (_renewals.TryRemove(workItem, out var renewal))
        {
            await renewal.CancelAsync().ConfigureAwait(false);
            renewal.Dispose();
        }
    }

    private async Task RenewUntilDoneAsync(TaskActivityWorkItem workItem, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(activityLockRenewal, time, cancellationToken).ConfigureAwait(false);
                await inner.RenewTaskActivityWorkItemLockAsync(workItem).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Completed, abandoned or stopping.
            }
#pragma warning disable CA1031 // A failed renewal only lets the message reappear early; the next attempt may succeed.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                LogRenewFailed(logger, exception, workItem.Id);
            }
        }
    }

    [LoggerMessage(EventId = 9201, Level = LogLevel.Warning, Message = "The Durable provider did not start (storage not answering?); retrying in {Seconds} s")]
    private static partial void LogStartFailed(ILogger logger, Exception exception, double seconds);

    [LoggerMessage(EventId = 9203, Level = LogLevel.Warning, Message = "The Durable provider did not stop cleanly; its partition leases expire on their own")]
    private static partial void LogStopFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 9204, Level = LogLevel.Warning, Message = "Activity {SidecarKey} (execution {ExecutionId}) waits: another work item with the same instance and task id is running")]
    private static partial void LogActivityParked(ILogger logger, string sidecarKey, string executionId);

    [LoggerMessage(EventId = 9202, Level = LogLevel.Warning, Message = "Renewing the lock of activity work item {WorkItemId} failed")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception, string workItemId);
}
