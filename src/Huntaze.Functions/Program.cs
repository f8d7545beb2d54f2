using Huntaze.Functions;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseHuntazePipeline();
builder.Services.AddHuntaze(builder.Configuration);
builder.Build().Run();
