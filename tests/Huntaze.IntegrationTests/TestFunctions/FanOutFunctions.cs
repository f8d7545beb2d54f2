using Huntaze.Functions.Platform.Http;
using Huntaze.Functions.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Huntaze.IntegrationTests.TestFunctions;

public sealed record FanOutInput(int Count);

/// <summary>Test-only: an HTTP function starting a fan-out/fan-in orchestration over activities.</summary>
public static class FanOutFunctions
{
    [Function("TestFanOutStart")]
    [AllowAnonymousAccess]
    public static async Task<IActionResult> Start(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "test/fan/{count:int}")] HttpRequest request,
        int count,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var instanceId = await client.ScheduleNewOrchestrationInstanceAsync("TestFanOut", new FanOutInput(count), cancellationToken);
        var state = await client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, cancellationToken);
        return ApiResult.Ok(new { instanceId, status = state.RuntimeStatus.ToString(), sum = state.ReadOutputAs<int>() });
    }

    /// <summary>A typed route value without a route constraint: conversion is the binder's job.</summary>
    [Function("TestSquareNow")]
    [AllowAnonymousAccess]
    public static IActionResult SquareNow(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "test/square/{value}")] HttpRequest request,
        int value) => ApiResult.Ok(new { square = value * value });

    [Function("TestFanOut")]
    public static async Task<int> Orchestrate([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var input = context.GetInput<FanOutInput>()!;
        var squares = await Task.WhenAll(Enumerable.Range(1, input.Count).Select(i => context.CallActivityAsync<int>("TestSquare", i)));
        return squares.Sum();
    }

    [Function("TestSquare")]
    public static int Square([ActivityTrigger] int value) => value * value;
}
