using System.Globalization;
using System.Text;
using CnnLab.Studies.Experiments;

namespace CnnLab.Studies.Reporting;

/// <summary>
/// The report's provenance section: what produced the results (CnnLab with its commit, TorchSharp, libtorch), the
/// threads and machines, and which runs were not computed like the others (threads lowered under load).
/// </summary>
internal static class ReportProvenance
{
    /// <summary>What produced the results: CnnLab (with its commit), TorchSharp and libtorch, threads, machines.</summary>
    public static string Section(IReadOnlyList<TaskRecord> records, IReadOnlyList<RunResult> results)
    {
        if (records.Count == 0)
        {
            return "";
        }
        static string Distinct(IEnumerable<string> values) =>
            string.Join(", ", values.GroupBy(v => v).Select(g => g.Count() == 1 ? g.Key : $"{g.Key} ({g.Count()} tasks)"));
        var md = new StringBuilder("## Provenance\n\n");
        md.AppendLine(CultureInfo.InvariantCulture, $"- CnnLab: {Distinct(records.Select(r => r.CnnLab))}");
        md.AppendLine(CultureInfo.InvariantCulture,
            $"- TorchSharp {Distinct(records.Select(r => r.TorchSharp))}, libtorch {Distinct(records.Select(r => r.LibTorch))}");
        var counts = records.Select(r => r.Threads).Distinct().Count();
        md.Append("- intra-op threads: ").Append(Distinct(records.Select(r => r.Threads.ToString(CultureInfo.InvariantCulture))))
            .AppendLine(counts > 1
                ? " (tasks with different thread counts split their sums differently: a rerun matches bit for bit only with the same count)"
                : "");
        // Only CNNLAB_ADAPT_THREADS=1 logs threads per epoch; fewer than configured means the load chose the arithmetic.
        var lowered = results.Where(r => r.Threads is { Count: > 0 } threads &&
                records.FirstOrDefault(t => t.Run == r.Run && t.Seed == r.Seed) is { } task && threads.Any(n => n < task.Threads))
            .Select(r => $"{r.Run} seed {r.Seed} ({string.Join(", ", r.Threads!.Select(n => n.ToString(CultureInfo.InvariantCulture)))})")
            .ToList();
        if (lowered.Count > 0)
        {
            md.Append("- threads lowered under load (CNNLAB_ADAPT_THREADS=1), fewest per epoch: ").Append(string.Join("; ", lowered))
                .AppendLine(". These results depend on what else ran on the machine and are not computed like the others.");
        }
        var mixed = results.Where(r => r.Precision is not null).Select(r => $"{r.Run} seed {r.Seed}").ToList();
        if (mixed.Count > 0)
        {
            md.Append("- mixed_bfloat16 (bf16 convolutions and products on float32 weights): ").AppendLine(string.Join(", ", mixed));
        }
        md.AppendLine(CultureInfo.InvariantCulture, $"- machines: {Distinct(records.Select(r => r.Host))}");
        return md.AppendLine().ToString();
    }
}
