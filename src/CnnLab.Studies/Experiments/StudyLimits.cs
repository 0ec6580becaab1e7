namespace CnnLab.Studies.Experiments;

/// <summary>
/// How large a study may be. A study file is small, but a grid or a seed count multiplies out: these are checked
/// on the counts before anything is built, so a few lines of YAML cannot ask for more runs than a machine could
/// ever train or exhaust memory listing them.
/// </summary>
public static class StudyLimits
{
    /// <summary>Runs times seeds: 10,000 trainings is far beyond what one study reports usefully.</summary>
    public const int MaxRunSeeds = 10_000;

    /// <summary>Combinations a grid may span before <c>sample</c> picks some: 10,000.</summary>
    public const int MaxGridCombinations = 10_000;

    /// <summary>YAML nesting depth: a study needs about 6 levels; deeper input is refused before it is read.</summary>
    public const int MaxNestingDepth = 64;

    /// <summary>YAML nodes after aliases are expanded: anchors can repeat a node many times in a small file.</summary>
    public const int MaxExpandedNodes = 1_000_000;

    /// <summary>The error for a study that asks for more run-seeds than <see cref="MaxRunSeeds"/>, or null.</summary>
    public static string? CheckRunSeeds(long runs, long seeds) => runs * seeds > MaxRunSeeds
        ? $"{runs:N0} run(s) x {seeds:N0} seed(s) = {runs * seeds:N0} trainings, more than the limit of {MaxRunSeeds:N0}. " +
            $"Use fewer seeds, fewer runs or a grid `sample`"
        : null;
}
