using Huntaze.Functions.Observability.Slo;

namespace Huntaze.Functions.Observability.Alerting;

public enum AlertAction
{
    Ticket,
    Page,
}

/// <summary>What an alert is in terms of the SLO file, and so where it goes.</summary>
public sealed record AlertRoute(
    string Kind,
    string Id,
    string Title,
    AlertAction Action,
    string? Runbook,
    ServiceLevelObjective? Slo = null,
    BurnRateAlert? BurnRate = null)
{
    /// <summary>
    /// Routes by the alert rule's name, which bicep/modules/alerts.bicep builds from the SLO file:
    /// <c>…-slo-{sloId}-{window}</c>, <c>…-warn-{warningId}</c>, <c>…-alert-{directAlertId}</c>, <c>…-availability</c>.
    /// A rule the file does not know is relayed as a ticket, never dropped.
    /// </summary>
    public static AlertRoute For(string ruleName, SloDocument document)
    {
        foreach (var slo in document.Slos)
        {
            foreach (var window in document.BurnRateAlerts)
            {
                if (ruleName.EndsWith($"slo-{slo.Id}-{window.Name}", StringComparison.OrdinalIgnoreCase))
                {
                    return new AlertRoute("slo", slo.Id, slo.Title, Parse(window.Action), slo.Runbook, slo, window);
                }
            }
        }

        foreach (var warning in document.Warnings)
        {
            if (ruleName.EndsWith($"warn-{warning.Id}", StringComparison.OrdinalIgnoreCase))
            {
                return new AlertRoute("warning", warning.Id, warning.Title, Parse(warning.Action), warning.Runbook, document.FindSlo(warning.Slo));
            }
        }

        foreach (var direct in document.DirectAlerts)
        {
            if (ruleName.EndsWith($"alert-{direct.Id}", StringComparison.OrdinalIgnoreCase))
            {
                return new AlertRoute("direct", direct.Id, direct.Title, Parse(direct.Action), direct.Runbook);
            }
        }

        var availability = document.AvailabilityTest;
        if (ruleName.EndsWith("-availability", StringComparison.OrdinalIgnoreCase))
        {
            return new AlertRoute("availability", "availability", availability.Title, Parse(availability.Action), availability.Runbook);
        }

        return new AlertRoute("unknown", ruleName, ruleName, AlertAction.Ticket, null);
    }

    private static AlertAction Parse(string action) =>
        string.Equals(action, "page", StringComparison.Ordinal) ? AlertAction.Page : AlertAction.Ticket;
}
