namespace CnnLab.Studies.Experiments;

/// <summary>
/// One run with one seed, as a unit a scheduler can hand out: its index is stable (runs in file order, then seeds),
/// so a Slurm array element or a Kubernetes completion index names the same run-seed on every machine.
/// </summary>
public sealed record StudyTask(int Index, RunDefinition Run, int Seed)
{
    /// <summary>Every task of <paramref name="study"/>, index 0 first.</summary>
    public static IReadOnlyList<StudyTask> All(StudyDefinition study)
    {
        ArgumentNullException.ThrowIfNull(study);
        return study.Runs.SelectMany(r => Enumerable.Range(study.SeedOffset + 1, study.Seeds).Select(s => (Run: r, Seed: s)))
            .Select((t, i) => new StudyTask(i, t.Run, t.Seed)).ToList();
    }
}
