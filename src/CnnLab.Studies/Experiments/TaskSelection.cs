using System.Globalization;

namespace CnnLab.Studies.Experiments;

/// <summary>
/// Which tasks a worker trains, from <c>--task</c>: one index (<c>3</c>), a range (<c>3-5</c>), a list (<c>0,4,7</c>,
/// items may be ranges), or <c>env</c>: the index the scheduler gives the process, Slurm's SLURM_ARRAY_TASK_ID or
/// Kubernetes' JOB_COMPLETION_INDEX.
/// </summary>
public static class TaskSelection
{
    /// <summary>The variables <c>env</c> reads, in this order.</summary>
    public static readonly IReadOnlyList<string> IndexVariables = new[] { "SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX" };

    /// <summary>The task indices <paramref name="spec"/> names, sorted and distinct, each below <paramref name="count"/>.</summary>
    public static IReadOnlyList<int> Parse(string spec, int count, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        environment ??= Environment.GetEnvironmentVariable;
        var text = spec.Trim();
        if (text == "env")
        {
            var found = IndexVariables.Select(v => (Name: v, Value: environment(v))).FirstOrDefault(v => !string.IsNullOrEmpty(v.Value));
            if (found.Value is null)
            {
                throw new ArgumentException(
                    $"`tasks` env reads {string.Join(" or ", IndexVariables)}, and neither is set. Run it as a Slurm array element or a " +
                    $"Kubernetes Indexed Job pod, or pass the index: `tasks` 3.");
            }
            return new[] { Index(found.Value.Trim(), count, $"{found.Name}={found.Value}") };
        }
        var indices = new SortedSet<int>();
        foreach (var item in text.Split(','))
        {
            var part = item.Trim();
            var dash = part.IndexOf('-', 1 < part.Length ? 1 : 0);
            if (dash > 0)
            {
                var (first, last) = (Index(part[..dash], count, spec), Index(part[(dash + 1)..], count, spec));
                if (last < first)
                {
                    throw new ArgumentException($"`tasks` {spec}: the range {part} ends before it starts. Write the smaller index first, " +
                        $"e.g. {last}-{first}.");
                }
                for (var i = first; i <= last; i++)
                {
                    indices.Add(i);
                }
            }
            else
            {
                indices.Add(Index(part, count, spec));
            }
        }
        return indices.ToList();
    }

    private static int Index(string text, int count, string spec)
    {
        if (!int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            throw new ArgumentException(
                $"`tasks` {spec}: \"{text.Trim()}\" is not a task index. Expected an index, a range (3-5), a list (0,4,7) or env; " +
                $"see `list` for the {count} tasks.");
        }
        return index < count ? index : throw new ArgumentException(
            $"`tasks` {spec}: index {index} is out of range; this study has {count} task(s), 0 to {count - 1} (see `list`).");
    }
}
