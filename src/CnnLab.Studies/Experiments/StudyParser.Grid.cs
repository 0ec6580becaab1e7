using System.Globalization;
using System.Text.Json.Nodes;
using CnnLab.Models;
using CnnLab.Optimizers;
using CnnLab.Studies.Experiments.Schema;
using CnnLab.Training;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CnnLab.Studies.Experiments;

/// <summary>A grid of VGG templates: every combination of the listed values, or a seeded sample of them.</summary>
public static partial class StudyParser
{
    private sealed partial class Reader
    {
        /// <summary>
        /// Every combination of depth, filters (of the first block, doubled in each next block, two convolutions
        /// per block), kernel size and pool size; with <c>sample: N</c> a seeded random N of them (random search).
        /// </summary>
        public IEnumerable<RunDefinition> Grid(YamlNode node, TrainingSettings training)
        {
            var map = Map(node, "grid", "grid");
            IReadOnlyList<int> Values(string key) =>
                map.TryGetValue(key, out var v) ? IntegerOrList(v, $"grid.{key}") : new[] { Default<int>("grid", key) };
            var depths = Values("depth");
            var filters = Values("filters");
            var kernels = Values("kernel_size");
            var pools = Values("pool_size");
            var dense = Values("dense");
            var batchNorm = map.TryGetValue("batch_norm", out var bn) ? Placement(bn) : BatchNormPlacement.None;
            var optimizer = map.TryGetValue("optimizer", out var o) ? Text(o, "grid.optimizer") : Default<string>("grid", "optimizer");
            if (!OptimizerCatalog.Names.Contains(optimizer, StringComparer.OrdinalIgnoreCase))
            {
                throw Error(map["optimizer"],
                    $"unknown optimizer `{optimizer}` in grid. Allowed: {string.Join(", ", OptimizerCatalog.Names)}");
            }
            // Counted before listed: four lists of a hundred values each would be 10^8 combinations.
            var count = (long)depths.Count * filters.Count * kernels.Count * pools.Count;
            if (count > StudyLimits.MaxGridCombinations)
            {
                throw Error(node, $"the grid spans {depths.Count} depth(s) x {filters.Count} filter count(s) " +
                    $"x {kernels.Count} kernel size(s) x {pools.Count} pool size(s) = {count:N0} combinations, " +
                    $"more than the limit of {StudyLimits.MaxGridCombinations:N0}. Give fewer values");
            }
            var combinations = (from d in depths from f in filters from k in kernels from p in pools select (d, f, k, p)).ToList();
            if (map.TryGetValue("sample", out var sampleNode))
            {
                var sample = Integer(map, "grid", "sample");
                var random = new Random(Integer(map, "grid", "seed"));
                combinations = combinations.OrderBy(_ => random.Next()).Take(sample).ToList();
            }
            foreach (var (depth, first, kernel, pool) in combinations)
            {
                // Filters double per block; a deep grid would overflow int and wrap around to a small, wrong width.
                if (depth > 16 || (long)first << (depth - 1) > MaxGridFilters)
                {
                    var last = depth > 16 ? "more than 65,536" : ((long)first << (depth - 1)).ToString("N0", CultureInfo.InvariantCulture);
                    throw Error(node, $"a grid of depth {depth} starting at {first} filters doubles them to " +
                        $"{last} " +
                        $"in the last block, more than the {MaxGridFilters:N0} allowed. Give smaller depths or filters");
                }
                var template = new VggTemplate
                {
                    Blocks = Enumerable.Range(0, depth).Select(b => (IReadOnlyList<int>)new[] { first << b, first << b }).ToList(),
                    KernelSizes = new[] { kernel },
                    PoolSize = pool,
                    BatchNorm = batchNorm,
                    Dense = dense,
                };
                yield return new RunDefinition($"{depth} blocks, {first} filters, kernel {kernel}, pool {pool}",
                    new ModelChoice(null, template), optimizer.ToLowerInvariant(), null, training);
            }
        }
    }
}
