namespace Huntaze.Functions.Onboarding.Catalog;

/// <summary>Finds prerequisite cycles (depth-first, three colours) and names the steps on each.</summary>
internal static class CycleFinder
{
    public static IEnumerable<string> Find(IReadOnlyDictionary<string, StepDefinition> steps)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var path = new List<string>();
        var errors = new List<string>();
        foreach (var id in steps.Keys.Order(StringComparer.Ordinal))
        {
            Visit(id);
        }

        return errors;

        void Visit(string id)
        {
            if (state.GetValueOrDefault(id) == 2 || !steps.TryGetValue(id, out var step))
            {
                return;
            }

            if (state.GetValueOrDefault(id) == 1)
            {
                var cycle = path.Skip(path.IndexOf(id)).Append(id);
                errors.Add($"step '{id}': prerequisites form a cycle ({string.Join(" -> ", cycle)}).");
                return;
            }

            state[id] = 1;
            path.Add(id);
            foreach (var prerequisite in step.Prerequisites.Where(p => p != id))
            {
                Visit(prerequisite);
            }

            path.RemoveAt(path.Count - 1);
            state[id] = 2;
        }
    }
}
